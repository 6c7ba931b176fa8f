/**
 * Replay: archived bars played as a feed, in real time (`speed: 1`), accelerated (`speed: 86_400` plays a
 * day per second) or as fast as the consumer takes them (`speed: Infinity`). This is how paper mode runs
 * offline; the kernel's simulated clock follows the bars, so a replay decides exactly what a backtest does.
 */
import { sleep as abortableSleep } from "../sleep.js";
import type { Bar } from "../types.js";
import { type BarSeries, barAt } from "./bars.js";

export interface ReplayOptions {
  /** how many times faster than real time; Infinity: no waiting */
  readonly speed: number;
  readonly signal?: AbortSignal;
  /** wall clock (injected for tests) */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** with `speed: Infinity`, yield to the event loop every this many bars */
  readonly yieldEvery?: number;
}

/** Longest single wait, so that an abort is noticed promptly and a huge gap does not stall a replay. */
export const MAX_REPLAY_WAIT_MS = 1000;

export async function* replayBars(series: BarSeries, options: ReplayOptions): AsyncGenerator<Bar> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const yieldEvery = options.yieldEvery ?? 256;
  if (series.length === 0) return;
  const wallStart = now();
  const dataStart = series.time[0]!;
  for (let i = 0; i < series.length; i++) {
    if (options.signal?.aborted) return;
    if (Number.isFinite(options.speed)) {
      const due = wallStart + (series.time[i]! - dataStart) / options.speed;
      for (let wait = due - now(); wait > 0 && !options.signal?.aborted; wait = due - now()) {
        await sleep(Math.min(wait, MAX_REPLAY_WAIT_MS), options.signal);
      }
      if (options.signal?.aborted) return;
    } else if (i % yieldEvery === yieldEvery - 1) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    yield barAt(series, i);
  }
}
