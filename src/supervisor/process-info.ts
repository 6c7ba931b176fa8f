/**
 * What the kernel says about a pid: alive or not (a zombie counts as dead), and its start time, so that a pid
 * reused by an unrelated process is never mistaken for a service. Linux reads /proc; elsewhere only `kill 0`.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessFacts {
  readonly state: string;
  /** clock ticks after boot, field 22 of /proc/PID/stat: with the pid, it identifies one process */
  readonly startTime: string;
}

/** /proc/PID/stat, or undefined when there is no such process (or no /proc). */
export function readProcessFacts(pid: number): ProcessFacts | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: fields resume after the last ")"
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: rest[0] ?? "?", startTime: rest[19] ?? "" };
}

const hasProc = (() => {
  try {
    readdirSync("/proc/self");
    return true;
  } catch {
    return false;
  }
})();

/** The start time of a live process, for PID records; undefined without /proc. */
export function processStartTime(pid: number): string | undefined {
  return readProcessFacts(pid)?.startTime;
}

/** Whether `pid` is alive and, when a start time was recorded, is still the same process. */
export function isSameProcess(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (hasProc) {
    const facts = readProcessFacts(pid);
    if (!facts || facts.state === "Z" || facts.state === "X") return false;
    return !startTime || facts.startTime === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Live pids whose initial environment holds `NAME=value` (Linux only; processes we may not read are skipped). */
export function findProcessesWithEnv(name: string, value: string): number[] {
  if (!hasProc) return [];
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (environ.includes(needle) && isSameProcess(pid)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Whether a live process's initial environment holds `NAME=value` (false when it cannot be read). */
export function hasEnv(pid: number, name: string, value: string): boolean {
  try {
    const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
    return environ.includes(Buffer.from(`\0${name}=${value}\0`));
  } catch {
    return false;
  }
}
