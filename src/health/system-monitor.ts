/**
 * Machine and process figures sampled in the background, so that `/health` only reads memory: CPU and memory
 * of the machine (the seeds' `system` block), event-loop delay p99 per window (reset each window, as
 * under-pressure does) and heap use against the heap limit.
 */
import { cpus, freemem, totalmem } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { type Clock, systemClock } from "./types.js";

/** Sampling period; the event-loop histogram resolution. */
export const SYSTEM_SAMPLE_INTERVAL_MS = 1000;
export const LOOP_DELAY_RESOLUTION_MS = 10;

export interface SystemSnapshot {
  /** when it was sampled (epoch ms) */
  readonly at: number;
  readonly cpuPercent: number;
  readonly memoryPercent: number;
  readonly memoryAvailableGb: number;
  /** event-loop delay p99 over the last window, milliseconds, resolution subtracted */
  readonly loopDelayP99Ms: number;
  readonly heapUsedBytes: number;
  readonly heapLimitBytes: number;
}

/** Where the raw figures come from; tests give fixed ones. */
export interface SystemProbe {
  cpuTimes(): { idle: number; total: number };
  memory(): { total: number; available: number };
  heap(): { used: number; limit: number };
  /** p99 delay of the window in ms, then start a new window */
  loopDelay(): number;
  start?(): void;
  stop?(): void;
}

/** The probe over Node's own os, v8 and perf_hooks figures. */
export function nodeSystemProbe(): SystemProbe {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  return {
    cpuTimes() {
      let idle = 0;
      let total = 0;
      for (const cpu of cpus()) {
        const t = cpu.times;
        idle += t.idle;
        total += t.user + t.nice + t.sys + t.idle + t.irq;
      }
      return { idle, total };
    },
    memory: () => ({ total: totalmem(), available: freemem() }),
    heap() {
      const h = getHeapStatistics();
      return { used: h.used_heap_size, limit: h.heap_size_limit };
    },
    loopDelay() {
      const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
      histogram.reset();
      return Math.max(0, p99 - LOOP_DELAY_RESOLUTION_MS);
    },
    start: () => histogram.enable(),
    stop: () => histogram.disable(),
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export class SystemMonitor {
  #snapshot: SystemSnapshot | undefined;
  #previousCpu: { idle: number; total: number } | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: SystemProbe,
    private readonly clock: Clock,
    readonly intervalMs: number,
  ) {}

  /** Takes a first sample now and then one per interval; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer) return;
    this.probe.start?.();
    this.sample();
    const tick = () => {
      this.sample();
      this.#timer = setTimeout(tick, this.intervalMs).unref();
    };
    this.#timer = setTimeout(tick, this.intervalMs).unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.probe.stop?.();
  }

  /** Takes one sample (the background timer calls this; tests call it directly). */
  sample(): SystemSnapshot {
    const cpu = this.probe.cpuTimes();
    const prev = this.#previousCpu ?? { idle: 0, total: 0 };
    const total = cpu.total - prev.total;
    const busy = total > 0 ? 1 - (cpu.idle - prev.idle) / total : 0;
    this.#previousCpu = cpu;
    const mem = this.probe.memory();
    const heap = this.probe.heap();
    this.#snapshot = {
      at: this.clock.now(),
      cpuPercent: round(Math.min(100, Math.max(0, busy * 100)), 1),
      memoryPercent: mem.total > 0 ? round(((mem.total - mem.available) / mem.total) * 100, 1) : 0,
      memoryAvailableGb: round(mem.available / 2 ** 30, 2),
      loopDelayP99Ms: round(this.probe.loopDelay(), 2),
      heapUsedBytes: heap.used,
      heapLimitBytes: heap.limit,
    };
    return this.#snapshot;
  }

  /** The latest sample; never does I/O. Undefined only before the first `start()` or `sample()`. */
  snapshot(): SystemSnapshot | undefined {
    return this.#snapshot;
  }
}

/** A monitor over the real machine unless a probe is given. */
export function createSystemMonitor(
  options: { probe?: SystemProbe; clock?: Clock; intervalMs?: number } = {},
): SystemMonitor {
  return new SystemMonitor(
    options.probe ?? nodeSystemProbe(),
    options.clock ?? systemClock,
    options.intervalMs ?? SYSTEM_SAMPLE_INTERVAL_MS,
  );
}
