/**
 * The health monitor of one run: while starting, probes level 1 every 25 ms until it answers (or the start
 * timeout passes: a process alive but never answering is hung); then polls levels 1 and 2 at
 * `health.intervalSeconds` with `health.timeoutSeconds`, and asks for a restart after
 * `health.failuresBeforeRestart` level-1 failures in a row. Level 2 is recorded, never a reason to restart.
 * A worker (no port) is judged by its heartbeat file or check command (worker-probe.ts), or by liveness alone.
 */
import type { HealthSettings } from "../workspace/schema.js";
import { type Clock, iso } from "./clock.js";
import {
  NO_HEALTH_SETTLE_MS,
  START_TIMEOUT_FLOOR_MS,
  STARTUP_PROBE_INTERVAL_MS,
  WORKER_STARTUP_PROBE_MS,
} from "./constants.js";
import { type HealthProbe, isPassing, type ProbeResult } from "./health-probe.js";
import type { ProcessHandle } from "./spawn.js";
import type { InstanceState } from "./states.js";
import type { HealthSnapshot } from "./types.js";
import { probeWorker, type WorkerProbe, workerCheckOf } from "./worker-probe.js";

export interface HealthState {
  level1: HealthSnapshot;
  level2: HealthSnapshot;
}

/** What the monitor reads from its instance. */
export interface Monitored {
  readonly state: InstanceState;
  readonly health: HealthState;
  readonly launch?: { readonly port?: number; readonly dir?: string; readonly health: HealthSettings };
}

export interface MonitorHooks {
  readonly clock: Clock;
  readonly probe: HealthProbe;
  /** the check of a worker (no port); default: the heartbeat file or command the manifest names */
  readonly workerProbe?: WorkerProbe;
  healthy(): void;
  failed(reason: string): void;
  recovered(): void;
  changed(): void;
  giveUp(reason: string, trigger: "timedOut" | "giveUp"): void;
}

/** How long a starting instance may take to answer health. */
export function startTimeoutMs(health: HealthSettings): number {
  return Math.max(
    START_TIMEOUT_FLOOR_MS,
    health.intervalSeconds * 1000 * health.failuresBeforeRestart + health.timeoutSeconds * 1000,
  );
}

function describe(result: ProbeResult): string {
  return result.error ? `${result.status}: ${result.error}` : result.status;
}

function snapshot(result: ProbeResult, at: number, failures: number): HealthSnapshot {
  return {
    status: result.status,
    checkedAt: iso(at),
    ms: result.ms,
    ...(result.httpStatus ? { httpStatus: result.httpStatus } : {}),
    ...(result.error ? { error: result.error } : {}),
    consecutiveFailures: failures,
  };
}

/** Starts monitoring one run; returns the function that stops it. */
export function startMonitor(instance: Monitored, handle: ProcessHandle, hooks: MonitorHooks): () => void {
  let cancelled = false;
  let cancelTimer: (() => void) | undefined;
  const live = () => !cancelled && !handle.hasExited();
  const schedule = (fn: () => void, ms: number) => {
    if (live()) cancelTimer = hooks.clock.setTimer(fn, ms);
  };
  const launch = instance.launch;
  const port = launch?.port;
  const worker = launch && port === undefined ? workerCheckOf(launch.health, launch.dir ?? ".") : undefined;
  if (!launch || (port === undefined && !worker)) {
    instance.health.level1 = { status: "absent", consecutiveFailures: 0 };
    instance.health.level2 = { status: "absent", consecutiveFailures: 0 };
    if (instance.state === "starting") {
      schedule(() => live() && instance.state === "starting" && hooks.healthy(), NO_HEALTH_SETTLE_MS);
    }
    return () => {
      cancelled = true;
      cancelTimer?.();
    };
  }
  const health = launch.health;
  const timeoutMs = health.timeoutSeconds * 1000;
  const intervalMs = health.intervalSeconds * 1000;
  const deadline = hooks.clock.now() + startTimeoutMs(health);
  // level 1: the HTTP endpoint, or the worker's heartbeat or command; a worker has no level 2
  const level1 = (ms: number) =>
    worker ? (hooks.workerProbe ?? probeWorker)(worker, ms, Date.now()) : hooks.probe(port!, health.path, ms);
  const startupEvery = worker?.kind === "command" ? WORKER_STARTUP_PROBE_MS : STARTUP_PROBE_INTERVAL_MS;
  const what = worker ? (worker.kind === "heartbeat" ? "its heartbeat file" : "its check command") : health.path;
  if (worker) instance.health.level2 = { status: "absent", consecutiveFailures: 0 };

  const probeLevel2 = async () => {
    if (worker) return;
    const result = await hooks.probe(port!, health.detailedPath, timeoutMs);
    if (!live()) return;
    const failures =
      isPassing(result.status) || result.status === "absent" ? 0 : instance.health.level2.consecutiveFailures + 1;
    instance.health.level2 = snapshot(result, hooks.clock.now(), failures);
  };

  const startup = async () => {
    const left = Math.max(1, deadline - hooks.clock.now());
    const result = await level1(Math.min(timeoutMs, left));
    if (!live() || instance.state !== "starting") return;
    instance.health.level1 = snapshot(result, hooks.clock.now(), 0);
    if (isPassing(result.status)) {
      // a tradeops node answers level 1 as soon as its port is bound: it has started once level 2 stops saying
      // STARTING (config, strategy and data loaded), which is what `start --wait-healthy` and deploys wait for
      if (!worker) {
        const ready = await hooks.probe(port!, health.detailedPath, Math.min(timeoutMs, left));
        if (!live() || instance.state !== "starting") return;
        if (ready.starting) {
          instance.health.level2 = snapshot(ready, hooks.clock.now(), 0);
          if (hooks.clock.now() >= deadline) {
            const seconds = Math.round(startTimeoutMs(health) / 100) / 10;
            hooks.giveUp(`still starting (level 2: STARTING) ${seconds} s after it was started`, "timedOut");
          } else schedule(startup, startupEvery);
          return;
        }
      }
      hooks.healthy();
      void probeLevel2().then(() => live() && hooks.changed());
      schedule(poll, intervalMs);
      return;
    }
    if (hooks.clock.now() >= deadline) {
      const seconds = Math.round(startTimeoutMs(health) / 100) / 10;
      hooks.giveUp(
        `no healthy answer from ${what} within ${seconds} s of starting (last: ${describe(result)})`,
        "timedOut",
      );
      return;
    }
    schedule(startup, startupEvery);
  };

  const poll = async () => {
    const [result] = await Promise.all([level1(timeoutMs), probeLevel2()]);
    if (!live() || (instance.state !== "running" && instance.state !== "unhealthy")) return;
    if (isPassing(result.status)) {
      instance.health.level1 = snapshot(result, hooks.clock.now(), 0);
      if (instance.state === "unhealthy") hooks.recovered();
      else hooks.changed();
      schedule(poll, intervalMs);
      return;
    }
    const failures = instance.health.level1.consecutiveFailures + 1;
    instance.health.level1 = snapshot(result, hooks.clock.now(), failures);
    if (failures >= health.failuresBeforeRestart) {
      hooks.giveUp(
        `health: ${failures} failed probe${failures === 1 ? "" : "s"} of ${what} in a row (last: ${describe(result)})`,
        "giveUp",
      );
      return;
    }
    hooks.failed(`health probe ${failures} of ${health.failuresBeforeRestart} failed (${describe(result)})`);
    schedule(poll, intervalMs);
  };

  if (instance.state === "starting") schedule(startup, startupEvery);
  else schedule(poll, Math.min(intervalMs, 1000));
  return () => {
    cancelled = true;
    cancelTimer?.();
  };
}
