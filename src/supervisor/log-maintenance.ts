/** One pass over the supervisor's log files: rotate by size, prune by count and age, watch free space. */
import type { Clock } from "./clock.js";
import { LOW_DISK_BYTES } from "./constants.js";
import { freeBytes, type LogLimits, pruneRotated, rotateIfNeeded } from "./logs.js";

export interface MaintenanceReport {
  readonly rotated: readonly string[];
  readonly removed: readonly string[];
  readonly freeBytes: number | null;
  /** less than LOW_DISK_BYTES free: only the newest rotated file of each log is kept */
  readonly low: boolean;
}

/** Rotates and prunes `files` (current log files) under `limits`; `dir` is where free space is measured. */
export function maintainLogs(
  files: readonly string[],
  limits: LogLimits,
  dir: string,
  now: Date,
  lowDiskBytes = LOW_DISK_BYTES,
): MaintenanceReport {
  const free = freeBytes(dir);
  const low = free !== null && free < lowDiskBytes;
  const rotated: string[] = [];
  const removed: string[] = [];
  for (const file of files) {
    const target = rotateIfNeeded(file, limits, now);
    if (target) rotated.push(target);
    removed.push(...pruneRotated(file, limits, now, low ? Math.min(1, limits.maxFiles) : limits.maxFiles));
  }
  return { rotated, removed, freeBytes: free, low };
}

export interface MaintenanceSchedule {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** where free space is measured */
  readonly dir: string;
  /** the current log files, asked for on every pass */
  files(): readonly string[];
  limits(): LogLimits;
  report(report: MaintenanceReport): void;
}

/** Runs a pass now and then every `intervalMs`; returns the function that stops it. */
export function scheduleLogMaintenance(schedule: MaintenanceSchedule): () => void {
  let cancel: (() => void) | undefined;
  let stopped = false;
  const pass = () => {
    if (stopped) return;
    schedule.report(maintainLogs(schedule.files(), schedule.limits(), schedule.dir, new Date(schedule.clock.now())));
    cancel = schedule.clock.setTimer(pass, schedule.intervalMs);
  };
  pass();
  return () => {
    stopped = true;
    cancel?.();
  };
}
