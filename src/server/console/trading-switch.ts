/**
 * Halt and resume from the console, the way `tradeops halt` does it: the kill-switch file first (a strategy
 * on this machine reads it within a second and records the change in the signal log, and a restarted one
 * starts halted), then the running service's control route with the project's control token.
 */
import { controlFilePath, ensureKillSwitchApplies, writeControl } from "../../runtime/control-file.js";
import { resolveControlToken } from "../../runtime/control-token.js";
import type { Project } from "../../workspace/types.js";
import type { ConsoleContext } from "./context.js";

/** How long the service's control route may take before the file alone has to do. */
export const CONTROL_REQUEST_TIMEOUT_MS = 2_000;

export interface SwitchOutcome {
  readonly project: string;
  readonly environment: string;
  readonly state: "halted" | "active";
  readonly reason: string;
  readonly by: string;
  /** what the running service said, when one answered on its port */
  readonly service: { readonly reached: boolean; readonly state?: string; readonly detail: string };
}

/** Flips a project's kill switch and tells its running service. Never throws for an unreachable service. */
export async function switchTrading(
  ctx: ConsoleContext,
  project: Project,
  state: "halted" | "active",
  reason: string,
  by: string,
  port: number | undefined,
): Promise<SwitchOutcome> {
  ensureKillSwitchApplies(project);
  writeControl(controlFilePath(ctx.workspace.root, project.name), {
    state,
    reason,
    at: ctx.now().toISOString(),
    by,
  });
  const base = { project: project.name, environment: ctx.environment, state, reason, by };
  if (!port) return { ...base, service: { reached: false, detail: "no port: the kill-switch file alone applies" } };
  const token = await resolveControlToken({
    workspace: ctx.workspace,
    prepared: { project, environment: ctx.environment },
    env: ctx.env,
  }).catch(() => undefined);
  try {
    const response = await ctx.fetch(`http://127.0.0.1:${port}/control/${state === "halted" ? "halt" : "resume"}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token.reveal()}` } : {}) },
      body: JSON.stringify(state === "halted" ? { reason } : {}),
      signal: AbortSignal.timeout(CONTROL_REQUEST_TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { state?: string };
    return response.ok
      ? { ...base, service: { reached: true, state: body.state, detail: "the service answered" } }
      : {
          ...base,
          service: {
            reached: false,
            detail: `the service refused (${response.status}); the kill-switch file applies within a second`,
          },
        };
  } catch {
    return { ...base, service: { reached: false, detail: `no service answered on port ${port}; the file applies` } };
  }
}
