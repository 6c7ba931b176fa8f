/**
 * The overview's answer, kept as JSON text: rebuilt when the supervisor's status changes, when a change is
 * made through the console, or after OVERVIEW_TTL_MS (kill-switch files written by `tradeops halt`), never per
 * request — a page polling every second from every desk costs a string send.
 */
import type { EnvironmentName } from "../../environment/names.js";
import type { SupervisorStatus } from "../../supervisor/types.js";
import type { Workspace } from "../../workspace/types.js";
import { projectViews } from "./projects.js";

/** How long a kill switch flipped outside the console may take to show. */
export const OVERVIEW_TTL_MS = 500;

export interface Overview {
  /** `{"environment": …, "projects": [...]}` */
  body(): string;
  /** the next request rebuilds it */
  invalidate(): void;
}

export function createOverview(
  workspace: Workspace,
  environment: EnvironmentName,
  status: () => SupervisorStatus | undefined,
  now: () => number = Date.now,
): Overview {
  let cached: { text: string; status: SupervisorStatus | undefined; at: number } | undefined;
  return {
    body() {
      const current = status();
      const t = now();
      if (!cached || cached.status !== current || t - cached.at >= OVERVIEW_TTL_MS) {
        const text = JSON.stringify({ environment, projects: projectViews(workspace, environment, current) });
        cached = { text, status: current, at: t };
      }
      return cached.text;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
