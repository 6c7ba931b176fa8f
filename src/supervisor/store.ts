/**
 * What survives a supervisor crash: the state file (desired state, pids with their start times, restart
 * streaks, the last failure), one plain PID file per running instance (`kill $(cat pids/NAME.pid)` still
 * works), and an append-only record of every state change.
 */

import { createHash } from "node:crypto";
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

/** The body a state file's checksum covers: everything but the checksum itself. */
function digest(state: StateFile): string {
  const { checksum: _ignored, ...body } = state as StateFile & { checksum?: string };
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

/**
 * Writes the state file whole (temporary file, then rename) with a SHA-256 checksum of its content, after keeping
 * the previous good version as `state.json.bak`; `scrub` takes out any secret a recorded reason carries.
 */
export function writeState(layout: StateLayout, state: StateFile, scrub: (text: string) => string = String): void {
  const scrubbed = JSON.parse(scrub(JSON.stringify(state))) as StateFile;
  const previous = loadStateFile(layout.stateFile);
  if (previous.state) writeAtomic(`${layout.stateFile}.bak`, `${JSON.stringify(previous.state, null, 2)}\n`);
  writeAtomic(layout.stateFile, `${JSON.stringify({ ...scrubbed, checksum: digest(scrubbed) }, null, 2)}\n`);
}

/** One state file checked: its state, or why it cannot be trusted (undefined for both when it does not exist). */
function loadStateFile(path: string): { state?: StateFile; problem?: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  try {
    const value = JSON.parse(text) as StateFile & { checksum?: string };
    if (value?.version !== 1 || !Array.isArray(value.instances))
      return { problem: "it is not a supervisor state file" };
    if (value.checksum !== undefined && value.checksum !== digest(value))
      return { problem: "its checksum does not match its content" };
    return { state: value };
  } catch {
    return { problem: "it is not valid JSON (a torn or edited write)" };
  }
}

export interface LoadedState {
  readonly state?: StateFile;
  /** set when state.json could not be trusted: why, and whether the backup was used */
  readonly problem?: string;
}

/** The recorded state: state.json, or its backup when state.json is corrupt (said so in `problem`). */
export function loadState(layout: StateLayout): LoadedState {
  const main = loadStateFile(layout.stateFile);
  if (!main.problem) return main;
  const backup = loadStateFile(`${layout.stateFile}.bak`);
  if (backup.state)
    return { state: backup.state, problem: `${layout.stateFile} is corrupt (${main.problem}); used its backup` };
  return { problem: `${layout.stateFile} is corrupt (${main.problem}) and has no usable backup` };
}

/** The recorded state, or undefined when there is none or it cannot be read (PID files are the fallback). */
export function readState(layout: StateLayout): StateFile | undefined {
  return loadState(layout).state;
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
