/**
 * "No error lines in the recent log" (the seeds' 100 % health): reads only the tail of the service's log,
 * counts error lines within a time window, and reports the count — never a line, which could carry anything.
 */
import { open } from "node:fs/promises";
import { type Clock, codeOfError, systemClock } from "../types.js";
import type { CheckOutcome, DeepCheck } from "./runner.js";

export const LOG_TAIL_BYTES = 256 * 1024;
export const LOG_WINDOW_MS = 5 * 60_000;

/** pino's numeric levels: 50 error, 60 fatal. */
const PINO_ERROR_LEVEL = 50;
const TEXT_ERROR = /\b(ERROR|FATAL|CRITICAL)\b|Traceback \(most recent call last\)/;
const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)/;

export interface LogErrorsOptions {
  readonly name?: string;
  readonly windowMs?: number;
  readonly tailBytes?: number;
  /** error lines tolerated in the window (default 0) */
  readonly maxErrors?: number;
  readonly timeoutMs?: number;
  readonly critical?: boolean;
  readonly clock?: Clock;
}

interface LineInfo {
  readonly error: boolean;
  readonly time: number | undefined;
}

/** Whether a line is an error line, and when it was written if it says so (pino JSON or a leading timestamp). */
export function classifyLine(line: string): LineInfo {
  if (line.startsWith("{")) {
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      const level = rec.level;
      const error =
        typeof level === "number"
          ? level >= PINO_ERROR_LEVEL
          : typeof level === "string" && /^(error|fatal|critical)$/i.test(level);
      const raw = rec.time ?? rec.timestamp ?? rec.ts;
      const time = typeof raw === "number" ? raw : typeof raw === "string" ? Date.parse(raw) : Number.NaN;
      return { error, time: Number.isFinite(time) ? time : undefined };
    } catch {
      // not JSON after all: judge it as text
    }
  }
  const stamp = LEADING_TIME.exec(line)?.[1];
  const time = stamp ? Date.parse(stamp.replace(" ", "T").replace(",", ".")) : Number.NaN;
  return { error: TEXT_ERROR.test(line), time: Number.isFinite(time) ? time : undefined };
}

/**
 * Counts error lines written within the window. A line without a time takes the time of the last line
 * before it that has one (a stack trace belongs to its message); when no line in the tail has a time, the
 * file's modification time stands for all of them.
 */
export function countRecentErrors(text: string, since: number, fileTime: number): number {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const infos = lines.map(classifyLine);
  const anyTime = infos.some((i) => i.time !== undefined);
  let current: number | undefined = anyTime ? undefined : fileTime;
  let count = 0;
  for (const info of infos) {
    if (info.time !== undefined) current = info.time;
    if (info.error && current !== undefined && current >= since) count++;
  }
  return count;
}

/** A check over the log file at `path` (a missing file fails with `LOG_MISSING`). */
export function logErrorsCheck(path: string, options: LogErrorsOptions = {}): DeepCheck {
  const clock = options.clock ?? systemClock;
  const windowMs = options.windowMs ?? LOG_WINDOW_MS;
  const tailBytes = options.tailBytes ?? LOG_TAIL_BYTES;
  return {
    name: options.name ?? "log_errors",
    timeoutMs: options.timeoutMs,
    critical: options.critical,
    async run(): Promise<CheckOutcome> {
      const since = clock.now() - windowMs;
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, "r");
      } catch (error) {
        return { ok: false, code: codeOfError(error) === "ENOENT" ? "LOG_MISSING" : "LOG_UNREADABLE" };
      }
      try {
        const stat = await handle.stat();
        if (stat.mtimeMs < since) return { ok: true, observedValue: 0, observedUnit: "count" };
        const start = Math.max(0, stat.size - tailBytes);
        const buffer = Buffer.alloc(stat.size - start);
        await handle.read(buffer, 0, buffer.length, start);
        let text = buffer.toString("utf8");
        if (start > 0) text = text.slice(text.indexOf("\n") + 1); // the first line is cut: drop it
        const count = countRecentErrors(text, since, stat.mtimeMs);
        const ok = count <= (options.maxErrors ?? 0);
        return { ok, code: "ERROR_LINES", observedValue: count, observedUnit: "count" };
      } finally {
        await handle.close();
      }
    },
  };
}
