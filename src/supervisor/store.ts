/**
 * What survives a supervisor crash: the state file (desired state, pids with their start times, restart
 * streaks, the last failure), one plain PID file per running instance (`kill $(cat pids/NAME.pid)` still
 * works), and an append-only record of every state change.
 */
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { pidFileOf, type StateLayout } from "./paths.js";
import type { InstanceState } from "./states.js";
import type { ExitRecord, FailureRecord, InstanceRequest, StateChange } from "./types.js";

export interface InstanceRecord {
  readonly name: string;
  readonly request: InstanceRequest;
  readonly desired: "running" | "stopped";
  readonly state: InstanceState;
  readonly pid?: number;
  readonly startTime?: string;
  readonly startedAt?: string;
  readonly runningSince?: string;
  readonly restarts: number;
  readonly streak: number;
  readonly backoffStep: number;
  readonly lastExit?: ExitRecord;
  readonly lastFailure?: FailureRecord;
}

export interface StateFile {
  readonly version: 1;
  readonly workspace: string;
  readonly environment: string;
  readonly updatedAt: string;
  readonly instances: readonly InstanceRecord[];
}

/** Creates the state directory, private to its owner: the socket inside is guarded by these permissions. */
export function ensureStateDir(layout: StateLayout): void {
  for (const dir of [layout.dir, layout.pidsDir, layout.logsDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}

/** Writes a file whole or not at all: a crash mid-write leaves the previous version. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Writes the state file; `scrub` takes out any secret a recorded reason carries. */
export function writeState(layout: StateLayout, state: StateFile, scrub: (text: string) => string = String): void {
  writeAtomic(layout.stateFile, scrub(`${JSON.stringify(state, null, 2)}\n`));
}

/** The recorded state, or undefined when there is none or it cannot be read (PID files are the fallback). */
export function readState(layout: StateLayout): StateFile | undefined {
  try {
    const value = JSON.parse(readFileSync(layout.stateFile, "utf8")) as StateFile;
    return value?.version === 1 && Array.isArray(value.instances) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(layout: StateLayout, name: string, pid: number): void {
  writeAtomic(pidFileOf(layout, name), `${pid}\n`);
}

export function removePidFile(layout: StateLayout, name: string): void {
  try {
    unlinkSync(pidFileOf(layout, name));
  } catch {
    // not there
  }
}

/** Every PID file: instance name → pid. */
export function readPidFiles(layout: StateLayout): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[] = [];
  try {
    names = readdirSync(layout.pidsDir);
  } catch {
    return out;
  }
  for (const file of names) {
    if (!file.endsWith(".pid")) continue;
    const pid = Number(readFileSync(join(layout.pidsDir, file), "utf8").trim());
    if (Number.isInteger(pid) && pid > 0) out.set(file.slice(0, -4), pid);
  }
  return out;
}

/** Appends one state change to events.jsonl (rotated with the logs). */
export function appendEvent(
  layout: StateLayout,
  name: string,
  change: StateChange,
  scrub: (text: string) => string = String,
): void {
  appendFileSync(layout.eventsFile, scrub(`${JSON.stringify({ instance: name, ...change })}\n`), { mode: 0o600 });
}
