/**
 * Background monitors keep level 2 fresh without level 2 doing I/O: each runs its probe (broker session,
 * signal store write, …) on a timer, under a timeout, and pushes the outcome to the registry. Timers chain
 * with setTimeout after each run, so slow probes never pile up; a monitor that stops leaves its sample to
 * expire, which `maxAgeMs` turns into a failure.
 */
import type { HealthRegistry } from "./registry.js";
import { withTimeout } from "./timeout.js";
import { type ComponentSample, codeOfError } from "./types.js";

export const MONITOR_TIMEOUT_MS = 2000;

export interface MonitorOptions {
  readonly registry: HealthRegistry;
  /** the registered component this monitor reports for */
  readonly component: string;
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  /** the probe: a sample, or throw (the error's code is kept, never its message) */
  readonly probe: (signal: AbortSignal) => Promise<ComponentSample> | ComponentSample;
}

export interface Monitor {
  start(): void;
  stop(): void;
  /** runs the probe once now and reports it */
  runOnce(): Promise<ComponentSample>;
}

/** A monitor for one component; nothing runs until `start()` or `runOnce()`. */
export function createMonitor(options: MonitorOptions): Monitor {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const runOnce = async (): Promise<ComponentSample> => {
    const result = await withTimeout(options.probe, options.timeoutMs ?? MONITOR_TIMEOUT_MS);
    const sample: ComponentSample = result.ok
      ? result.value
      : { status: "unhealthy", errorCode: result.timedOut ? "TIMEOUT" : codeOfError(result.error) };
    options.registry.report(options.component, sample);
    return sample;
  };
  const loop = () => {
    // a probe that reports malformed checks is dropped; its sample then expires and shows as STALE
    void runOnce()
      .catch(() => undefined)
      .finally(() => {
        if (running) timer = setTimeout(loop, options.intervalMs).unref();
      });
  };
  return {
    start() {
      if (running) return;
      running = true;
      loop();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
    },
    runOnce,
  };
}
