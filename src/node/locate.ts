/**
 * Where a project's running instance is, found from what started it — the supervisor's state for this workspace
 * and environment, or a local target's release records — rather than from the manifest's port, which any process
 * may hold. Each location says which identity to expect there; the control client checks it before acting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findTarget } from "../deploy/targets.js";
import type { EnvironmentName } from "../environment/names.js";
import { resolveStateDir, stateLayout } from "../supervisor/paths.js";
import { readState } from "../supervisor/store.js";
import { workspaceIdOf } from "../workspace/identity.js";
import type { Project, Workspace } from "../workspace/types.js";

export interface ExpectedIdentity {
  readonly workspaceId: string;
  readonly environment: string;
  readonly project: string;
  /** known when the records say which release runs there */
  readonly release?: string;
}

export interface InstanceLocation {
  readonly port: number;
  /** how it was found: `--port`, `supervisor`, `target records`, `manifest port` */
  readonly from: string;
  readonly expect: ExpectedIdentity;
}

const LIVE_STATES = new Set(["starting", "running", "unhealthy"]);

export interface LocateOptions {
  readonly workspace: Workspace;
  readonly environment: string;
  readonly project: Project;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** an explicit port (`--port`): used as given, its identity still checked */
  readonly port?: number;
}

/** Every place the project's instance may be, best first; empty when nothing says where it runs. */
export function locateInstances(o: LocateOptions): InstanceLocation[] {
  const base: ExpectedIdentity = {
    workspaceId: workspaceIdOf(o.workspace),
    environment: o.environment,
    project: o.project.name,
  };
  if (o.port !== undefined) return [{ port: o.port, from: "--port", expect: base }];
  const found: InstanceLocation[] = [];
  const state = readState(stateLayout(resolveStateDir(o.workspace.root, o.environment, o.env)));
  for (const i of state?.instances ?? []) {
    if (i.request.project !== o.project.name || !LIVE_STATES.has(i.state)) continue;
    const port = i.request.port ?? o.project.port;
    if (port === undefined) continue;
    found.push({
      port,
      from: "supervisor",
      expect: { ...base, ...(i.request.release ? { release: i.request.release } : {}) },
    });
  }
  const target = safeTarget(o);
  if (target?.hosts.every((h) => h === "local")) {
    const records = readJson(join(target.path, "shared", "state.json")) as
      | { active?: "blue" | "green"; colors?: Record<string, { release: string; port: number }> }
      | undefined;
    const live = records?.active ? records.colors?.[records.active] : undefined;
    if (live) found.push({ port: live.port, from: "target records", expect: { ...base, release: live.release } });
  }
  const manifestPort = target?.port ?? o.project.port;
  if (found.length === 0 && manifestPort !== undefined)
    found.push({ port: manifestPort, from: "manifest port", expect: base });
  return found;
}

function safeTarget(o: LocateOptions) {
  try {
    return findTarget(o.workspace, o.environment as EnvironmentName, o.project.name);
  } catch {
    return undefined;
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}
