/**
 * The kill switch as a file: `tradeops halt PROJECT` writes `.tradeops/control/<project>.json` in the
 * workspace, and a running strategy service watches it and flips its trading state. It works with no
 * network and no token, for the processes on this machine; the service's HTTP control endpoint is the way
 * in from elsewhere.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { TroError } from "../errors.js";
import type { Project } from "../workspace/types.js";

export interface ControlState {
  readonly state: "halted" | "active";
  readonly reason: string;
  /** ISO time of the change */
  readonly at: string;
  /** who asked: `cli`, `http`, a user name */
  readonly by: string;
}

/** How often a running service looks at the file. */
export const CONTROL_POLL_MS = 500;

/**
 * A kill switch stops orders: a project that is no strategy and sends none has nothing it could stop, and a halt
 * that reports success there would only mislead whoever relies on it.
 * @throws TroError TRO_ERR_USAGE
 */
export function ensureKillSwitchApplies(project: Pick<Project, "name" | "kind" | "sendsOrders">): void {
  if (project.kind === "strategy" || project.sendsOrders) return;
  throw new TroError(
    "TRO_ERR_USAGE",
    `${project.name} is a ${project.kind} that sends no orders: a kill switch has nothing to stop there.`,
    { hint: `To stop the process, \`tradeops stop ${project.name}\`; a project that trades sets sendsOrders: true.` },
  );
}

export function controlFilePath(root: string, project: string): string {
  return join(root, ".tradeops", "control", `${project}.json`);
}

/** Writes the switch atomically (a rename), so a watcher never reads half a file. */
export function writeControl(path: string, state: ControlState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The switch, or undefined when there is none or it is unreadable (a broken file never halts or resumes). */
export function readControl(path: string): ControlState | undefined {
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as ControlState;
    return value.state === "halted" || value.state === "active" ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface ControlWatcher {
  stop(): void;
}

/**
 * Calls `apply` with the switch now and whenever it changes.
 * `setInterval`/`clearInterval` are injected so tests can drive the polling.
 */
export function watchControl(
  path: string,
  apply: (state: ControlState) => void,
  timers: { setInterval?: typeof setInterval; clearInterval?: typeof clearInterval; intervalMs?: number } = {},
): ControlWatcher {
  let last = "";
  const look = () => {
    const state = readControl(path);
    const key = state ? `${state.state}|${state.at}|${state.reason}` : "";
    if (state && key !== last) apply(state);
    last = key;
  };
  look();
  const handle = (timers.setInterval ?? setInterval)(look, timers.intervalMs ?? CONTROL_POLL_MS);
  (handle as { unref?: () => void }).unref?.();
  return { stop: () => (timers.clearInterval ?? clearInterval)(handle) };
}
