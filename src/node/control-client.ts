/**
 * The client side of a node's control routes (`tradeops halt`, `resume`): it asks the instance who it is first
 * (`/health`), refuses when the identity on the port is not the instance asked for, and sends the expected
 * identity along so that the node refuses too if another process took the port in between.
 */
import { TroError } from "../errors.js";
import type { InstanceView } from "../health/reports.js";
import { controlFilePath, ensureKillSwitchApplies, writeControl } from "../runtime/control-file.js";
import type { Project, Workspace } from "../workspace/types.js";
import { type ExpectedIdentity, type InstanceLocation, locateInstances } from "./locate.js";

/** How long a control request to a local service may take before the kill-switch file alone has to do. */
export const CONTROL_REQUEST_TIMEOUT_MS = 2_000;

export interface ServiceAnswer {
  readonly reached: boolean;
  readonly port: number;
  readonly from: string;
  readonly status?: number;
  readonly state?: string;
  readonly instance?: InstanceView;
  readonly detail: string;
  readonly warning?: string;
}

/** The fields of `found` that are not what `expect` says, as readable phrases (empty: it is the one). */
export function identityProblems(expect: ExpectedIdentity, found: InstanceView | undefined): string[] {
  if (!found) return ["it does not say which instance it is (no `instance` in /health)"];
  const pairs: [string, string | undefined, string][] = [
    ["workspace", expect.workspaceId, found.workspace_id],
    ["environment", expect.environment, found.environment],
    ["project", expect.project, found.project],
    ["release", expect.release, found.release],
  ];
  return pairs
    .filter(([, want, got]) => want !== undefined && want !== "" && want !== got)
    .map(
      ([name, want, got]) =>
        `${name} ${got ? JSON.stringify(got) : "(none)"} where ${JSON.stringify(want)} was expected`,
    );
}

/** The instance's identity from its level-1 health, or undefined when nothing answers. */
export async function fetchIdentity(port: number): Promise<{ instance?: InstanceView } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(CONTROL_REQUEST_TIMEOUT_MS),
    });
    return (await res.json()) as { instance?: InstanceView };
  } catch {
    return undefined;
  }
}

export interface SwitchTradingOptions {
  readonly workspace: Workspace;
  readonly environment: string;
  readonly project: Project;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly state: "halted" | "active";
  readonly reason: string;
  /** who asked, recorded in the kill-switch file (`cli:alice`) */
  readonly by: string;
  readonly port?: number;
  readonly token?: string;
}

export interface SwitchTradingResult {
  readonly file: string;
  readonly services: readonly ServiceAnswer[];
}

/**
 * The kill switch: every instance found is asked who it is first (a mismatch refuses before anything is written),
 * then the kill-switch file is written (a strategy on this machine reads it within a second, and a restarted one
 * starts in that state), then each instance is told through its control route.
 * @throws TroError TRO_ERR_USAGE for a project a kill switch cannot stop, TRO_ERR_INSTANCE_MISMATCH when another
 *   instance answers where this one was expected
 */
export async function switchTrading(o: SwitchTradingOptions): Promise<SwitchTradingResult> {
  ensureKillSwitchApplies(o.project);
  const locations = locateInstances(o);
  const answering: InstanceLocation[] = [];
  const silent: ServiceAnswer[] = [];
  for (const location of locations) {
    const health = await fetchIdentity(location.port);
    if (!health) {
      silent.push({
        reached: false,
        port: location.port,
        from: location.from,
        detail: `no service answered on 127.0.0.1:${location.port} (${location.from})`,
      });
      continue;
    }
    ensureIdentity(location, health.instance);
    answering.push(location);
  }
  const file = controlFilePath(o.workspace.root, o.project.name);
  writeControl(file, { state: o.state, reason: o.reason, at: new Date().toISOString(), by: o.by });
  const told = [];
  for (const location of answering) told.push(await switchInstance(location, o.state, o));
  return { file, services: [...told, ...silent] };
}

/**
 * Halts or resumes the instance at `location` after checking who it is.
 * @throws TroError TRO_ERR_INSTANCE_MISMATCH when another instance answers on the port
 */
export async function switchInstance(
  location: InstanceLocation,
  state: "halted" | "active",
  o: { readonly reason: string; readonly token?: string },
): Promise<ServiceAnswer> {
  const { port, from } = location;
  const health = await fetchIdentity(port);
  if (!health) return { reached: false, port, from, detail: `no service answered on 127.0.0.1:${port} (${from})` };
  ensureIdentity(location, health.instance);
  const url = `http://127.0.0.1:${port}/control/${state === "halted" ? "halt" : "resume"}`;
  const expect = {
    workspace_id: location.expect.workspaceId,
    environment: location.expect.environment,
    project: location.expect.project,
    ...(location.expect.release ? { release: location.expect.release } : {}),
  };
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      body: JSON.stringify(state === "halted" ? { reason: o.reason, expect } : { expect }),
      signal: AbortSignal.timeout(CONTROL_REQUEST_TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as {
      state?: string;
      instance?: InstanceView;
      error?: { code?: string; message?: string };
    };
    if (response.ok) {
      return {
        reached: true,
        port,
        from,
        status: response.status,
        state: body.state,
        instance: body.instance,
        detail: "answered",
      };
    }
    if (body.error?.code === "TRO_ERR_INSTANCE_MISMATCH") {
      throw mismatch(location, [body.error.message ?? "the node refused: another instance"]);
    }
    return {
      reached: false,
      port,
      from,
      status: response.status,
      detail: `the service on port ${port} refused (${response.status})`,
      warning: `the control route refused: ${body.error?.message ?? response.statusText} (set TRADEOPS_CONTROL_TOKEN or the CONTROL_TOKEN secret)`,
    };
  } catch (error) {
    if (error instanceof TroError) throw error;
    return { reached: false, port, from, detail: `no service answered on 127.0.0.1:${port} (${from})` };
  }
}

/** @throws TroError TRO_ERR_INSTANCE_MISMATCH when `found` is not the instance `location` expects */
export function ensureIdentity(location: InstanceLocation, found: InstanceView | undefined): void {
  const problems = identityProblems(location.expect, found);
  if (problems.length) throw mismatch(location, problems);
}

function mismatch(location: InstanceLocation, problems: string[]): TroError {
  return new TroError(
    "TRO_ERR_INSTANCE_MISMATCH",
    `The service on port ${location.port} (${location.from}) is not ${location.expect.project} of this workspace in ${location.expect.environment}: ${problems.join("; ")}.`,
    {
      hint: "Nothing was sent to it. Another workspace's or environment's instance listens there; `tradeops status` shows where this workspace's instances run, or pass --port with the right one.",
    },
  );
}
