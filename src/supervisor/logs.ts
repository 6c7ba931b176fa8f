/**
 * Log files: one per service and colour, rotated by size, rotated files kept by count and by age (the
 * environment's `logRetentionDays`), and free disk space watched, so that logs never fill a disk silently
 * (PM2 #1415: a 25 GB log). Services write to their file directly; rotation copies then truncates it, which
 * works with the append-mode descriptor the service holds.
 */
import {
  closeSync,
  copyFileSync,
  openSync,
  readdirSync,
  readSync,
  statfsSync,
  statSync,
  truncateSync,
  unlinkSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

export interface LogLimits {
  /** rotate past this size */
  readonly maxBytes: number;
  /** rotated files kept per log, newest first */
  readonly maxFiles: number;
  /** rotated files older than this are deleted */
  readonly retentionDays: number;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:-\d+)?$/;

function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace(".", "");
}

function parseStamp(text: string): number | undefined {
  const m = STAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
}

function stem(file: string): string {
  return basename(file).replace(/\.(log|jsonl)$/, "");
}

function extension(file: string): string {
  return /\.jsonl$/.test(file) ? ".jsonl" : ".log";
}

/** Rotates `file` when it is larger than the limit: `name.<UTC stamp>.log` keeps the old content. */
export function rotateIfNeeded(file: string, limits: LogLimits, now: Date): string | undefined {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size <= limits.maxBytes) return undefined;
  let target = join(dirname(file), `${stem(file)}.${stamp(now)}${extension(file)}`);
  for (let n = 1; existsQuietly(target); n++) {
    target = join(dirname(file), `${stem(file)}.${stamp(now)}-${n}${extension(file)}`);
  }
  copyFileSync(file, target);
  truncateSync(file, 0);
  return target;
}

function existsQuietly(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export interface RotatedFile {
  readonly path: string;
  readonly rotatedAt: number;
}

/** The rotated files of a log, newest first. */
export function rotatedFiles(file: string): RotatedFile[] {
  const prefix = `${stem(file)}.`;
  const ext = extension(file);
  const out: RotatedFile[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return [];
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(ext)) continue;
    const at = parseStamp(name.slice(prefix.length, -ext.length));
    if (at !== undefined) out.push({ path: join(dirname(file), name), rotatedAt: at });
  }
  return out.sort((a, b) => b.rotatedAt - a.rotatedAt);
}

/** Deletes rotated files past the count or the age limit (`keep` overrides the count, e.g. when the disk is low). */
export function pruneRotated(file: string, limits: LogLimits, now: Date, keep = limits.maxFiles): string[] {
  const cutoff = now.getTime() - limits.retentionDays * 86_400_000;
  const removed: string[] = [];
  rotatedFiles(file).forEach((rotated, index) => {
    if (index < keep && rotated.rotatedAt >= cutoff) return;
    try {
      unlinkSync(rotated.path);
      removed.push(rotated.path);
    } catch {
      // already gone
    }
  });
  return removed;
}

/** Free bytes for unprivileged users on the disk holding `dir`, or null when the system cannot say. */
export function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

const TAIL_CHUNK = 64 * 1024;

/** The last `count` lines of a file (reading at most 64 KiB per 100 lines from its end). */
export function tailLines(file: string, count: number): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, TAIL_CHUNK * Math.max(1, Math.ceil(count / 100)));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (length < size) lines.shift(); // the first one is cut
    return lines.slice(-count);
  } finally {
    closeSync(fd);
  }
}
