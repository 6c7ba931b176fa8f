/**
 * The driver shared by paper and live: bars from a feed (a replay or a broker's live bars) go through the
 * kernel one at a time, with the venue's I/O around each bar — fetch fills before, send orders after — so
 * that reports land at the same step as a simulated broker's fills. Real-time feeds also sync between bars.
 * Every venue call is serialized: the strategy never sees two things at once.
 */
import { SimulatedClock } from "../clock.js";
import type { Kernel } from "../kernel.js";
import type { Bar } from "../types.js";

export interface FeedRunOptions {
  readonly signal?: AbortSignal;
  /** real-time feeds: fetch fills and send queued orders this often between bars (0: only around bars) */
  readonly syncIntervalMs?: number;
  /** told about every bar after the kernel saw it (health freshness, progress) */
  readonly onBar?: (bar: Bar) => void;
}

export interface FeedSummary {
  readonly bars: number;
  /** why the run ended: the feed ran out, or it was stopped */
  readonly ended: "feed-ended" | "stopped";
}

/** Default time between two fill syncs on a real-time feed. */
export const DEFAULT_SYNC_INTERVAL_MS = 2000;

/** Runs `work` one at a time, in call order. */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/** Starts the kernel, plays the feed through it, stops it; the venue's sends are flushed before returning. */
export async function runFeed<P, S>(
  kernel: Kernel<P, S>,
  feed: AsyncIterable<Bar>,
  options: FeedRunOptions = {},
): Promise<FeedSummary> {
  const { venue } = kernel;
  const serial = new Serial();
  const step = async (bar: Bar) => {
    await venue.sync();
    kernel.onBar(bar);
    await venue.flush();
    // what the venue said about those sends (a refusal) is applied now, at this bar's time
    kernel.drain();
  };
  const iterator = feed[Symbol.asyncIterator]();
  // a clock moved by the bars starts at the first bar, as a backtest's does, before onStart runs
  const first = kernel.clock instanceof SimulatedClock ? await iterator.next() : undefined;
  if (first && !first.done) (kernel.clock as SimulatedClock).reset(first.value.time);
  kernel.start();
  const timer =
    options.syncIntervalMs && options.syncIntervalMs > 0
      ? setInterval(
          () =>
            void serial.run(async () => {
              await venue.sync();
              kernel.drain();
              await venue.flush();
            }),
          options.syncIntervalMs,
        )
      : undefined;
  let bars = 0;
  let ended: FeedSummary["ended"] = "feed-ended";
  try {
    for (let next = first ?? (await iterator.next()); !next.done; next = await iterator.next()) {
      if (options.signal?.aborted) {
        ended = "stopped";
        break;
      }
      const bar = next.value;
      await serial.run(() => step(bar));
      bars++;
      options.onBar?.(bar);
    }
    if (options.signal?.aborted) ended = "stopped";
  } finally {
    await iterator.return?.();
    if (timer) clearInterval(timer);
    await serial.run(async () => {
      kernel.stop();
      await venue.flush();
    });
    await kernel.options.sink.flush?.();
  }
  return { bars, ended };
}
