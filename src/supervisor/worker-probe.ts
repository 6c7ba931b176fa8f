/**
 * Health of a worker: a process without a port (tick collector, strategy runner). The manifest chooses how it is
 * judged: a heartbeat file the worker touches (healthy while young enough), a command (exit 0 within the timeout),
 * or, with neither, process liveness alone (the supervisor sees every exit).
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { HealthSettings } from "../workspace/schema.js";
import type { ProbeResult } from "./health-probe.js";
import { signalGroup } from "./spawn.js";

export type WorkerCheck =
  | { readonly kind: "heartbeat"; readonly file: string; readonly maxAgeMs: number }
  | { readonly kind: "command"; readonly command: string; readonly dir: string };

/** The check the manifest chose for a worker in `dir`, or undefined for liveness alone. */
export function workerCheckOf(health: HealthSettings, dir: string): WorkerCheck | undefined {
  if (health.heartbeatFile)
    return {
      kind: "heartbeat",
      file: resolve(dir, health.heartbeatFile),
      maxAgeMs: (health.heartbeatMaxAgeSeconds ?? health.intervalSeconds * 3) * 1000,
    };
  if (health.command) return { kind: "command", command: health.command, dir };
  return undefined;
}

export type WorkerProbe = (check: WorkerCheck, timeoutMs: number, now: number) => Promise<ProbeResult>;

/** The probe: the heartbeat's age against its limit, or the command's exit within the deadline. */
export const probeWorker: WorkerProbe = async (check, timeoutMs, now) => {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  if (check.kind === "heartbeat") {
    let mtime: number;
    try {
      mtime = statSync(check.file).mtimeMs;
    } catch {
      return { status: "unhealthy", ms: ms(), error: "no heartbeat file yet" };
    }
    const age = Math.max(0, now - mtime);
    return age <= check.maxAgeMs
      ? { status: "healthy", ms: ms() }
      : { status: "unhealthy", ms: ms(), error: `heartbeat ${Math.round(age / 100) / 10} s old` };
  }
  return new Promise((done) => {
    const child = spawn("sh", ["-c", check.command], { cwd: check.dir, stdio: "ignore", detached: true });
    const timer = setTimeout(() => {
      if (child.pid) signalGroup(child.pid, "SIGKILL");
      done({ status: "timeout", ms: ms(), error: `the check command ran past ${timeoutMs} ms` });
    }, timeoutMs);
    child.on("error", () => {
      clearTimeout(timer);
      done({ status: "unhealthy", ms: ms(), error: "the check command could not start" });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      done(
        code === 0
          ? { status: "healthy", ms: ms() }
          : { status: "unhealthy", ms: ms(), error: `the check command exited with code ${code}` },
      );
    });
  });
};
