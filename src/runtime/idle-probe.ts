/** The real machine behind the idle monitor: wall and monotonic clocks, the process table, file times. */
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { promisify } from "node:util";
import type { IdleProbe } from "./idle.js";

const run = promisify(execFile);
/** Bound on listing processes with `ps` where there is no /proc. */
export const PS_TIMEOUT_MS = 2000;

export function nodeIdleProbe(): IdleProbe {
  return {
    wallNow: () => Date.now(),
    monoNow: () => performance.now(),
    processes: listProcesses,
    async mtime(path) {
      try {
        return (await stat(path)).mtimeMs;
      } catch {
        return undefined;
      }
    },
  };
}

async function listProcesses(): Promise<string[]> {
  try {
    const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
    const names = await Promise.all(
      pids.map((pid) =>
        readFile(`/proc/${pid}/comm`, "utf8").then(
          (t) => t.trim(),
          () => "",
        ),
      ),
    );
    return names.filter(Boolean);
  } catch {
    const { stdout } = await run("ps", ["-A", "-o", "comm="], { timeout: PS_TIMEOUT_MS });
    return stdout
      .split("\n")
      .map((line) => line.trim().split("/").pop() ?? "")
      .filter(Boolean);
  }
}
