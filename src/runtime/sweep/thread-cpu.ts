/**
 * Why: a sweep's speed-up over one worker is judged from the CPU time each worker thread spent as well as from
 * wall time, which a busy shared machine distorts. Node 20 has no per-thread CPU clock (`process.cpuUsage()`
 * counts every thread of the process); Linux keeps one per thread in /proc/thread-self/stat.
 */
import { readFileSync } from "node:fs";

/** ms per clock tick of /proc's utime and stime (USER_HZ, 100 on Linux) */
const TICK_MS = 10;

/** CPU time (user + system) the calling thread has used, in ms; null where the platform does not say. */
export function threadCpuMs(read: (path: string) => string = (p) => readFileSync(p, "utf8")): number | null {
  try {
    const stat = read("/proc/thread-self/stat");
    // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * TICK_MS : null;
  } catch {
    return null;
  }
}
