/** A member of a coupled group's deploy (one project on one host), and the bookkeeping every step shares. */
import { TroError } from "../errors.js";
import type { HealthLevel } from "../health/probe.js";
import type { ArtifactManifest } from "./artifact.js";
import { type EventSink, step } from "./events.js";
import { abortReason } from "./lock-hold.js";
import type { PlannedProject } from "./plan.js";
import type { TargetState } from "./records.js";
import type { TargetSession } from "./session.js";
import type { Slot } from "./switch.js";
import type { DeployRecord } from "./types.js";

export interface Member {
  readonly planned: PlannedProject;
  readonly session: TargetSession;
  readonly record: DeployRecord;
  readonly artifact: { readonly manifest: ArtifactManifest; readonly tarball: string };
  readonly envFile: string;
  readonly configDigest: Record<string, string>;
  readonly configHash?: string;
  /** the colour and port the new release runs in, once chosen */
  slot?: Slot;
  /** set once the proxy routes to the new release */
  switched?: { readonly from?: Slot; readonly to: Slot };
}

export interface GroupOptions {
  readonly level: HealthLevel;
  readonly monitorSeconds: number;
  readonly startTimeoutMs: number;
  readonly skipMonitor?: string;
  readonly emit?: EventSink;
  readonly signal?: AbortSignal;
}

/** Reads the target's state, changes it, writes it back. */
export async function setState(member: Member, change: (s: TargetState) => void): Promise<void> {
  const state = await member.session.records.readState();
  change(state);
  await member.session.records.writeState(state);
}

/** Runs one step of a member: recorded in `state.json` before it starts, reported, timed into the record. */
export async function timed<T>(
  member: Member,
  name: string,
  options: GroupOptions,
  run: () => Promise<T>,
  describe?: (v: T) => string | undefined,
): Promise<T> {
  const where = { project: member.planned.project, host: member.session.host };
  if (options.signal?.aborted)
    throw new TroError("TRO_ERR_DEPLOY_FAILED", `${abortReason(options.signal)} before ${name}`);
  const clock = member.session.clock;
  const started = clock.now();
  await setState(member, (s) => {
    if (s.inProgress) s.inProgress.step = name;
  });
  try {
    const value = await step(options.emit, where, name, run, describe, clock);
    member.record.steps.push({
      step: name,
      status: "pass",
      durationMs: clock.now() - started,
      detail: describe?.(value),
    });
    return value;
  } catch (error) {
    member.record.steps.push({
      step: name,
      status: "fail",
      durationMs: clock.now() - started,
      detail: String((error as Error)?.message ?? error),
    });
    throw error;
  }
}

/** Closes a member's record and appends it to the target's history. */
export async function closeRecord(member: Member): Promise<void> {
  const finished = member.session.clock.now();
  member.record.finishedAt = new Date(finished).toISOString();
  member.record.durationMs = finished - Date.parse(member.record.startedAt);
  await member.session.records.appendHistory(member.record);
}
