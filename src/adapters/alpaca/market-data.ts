/**
 * Live bars from Alpaca's market data API, polled (REST; the websocket stream is optional and not needed
 * for bar-by-bar strategies). Every bar that arrives is also written into the bar archive, so that the
 * archive doubles as the cache of live data: tomorrow's backtest and replay read what today's run saw.
 */
import type { BarArchive } from "../../runtime/data/archive.js";
import { sleep as abortableSleep } from "../../runtime/sleep.js";
import type { Bar } from "../../runtime/types.js";
import type { AlpacaClient } from "./client.js";
import type { AlpacaBar } from "./types.js";

export interface AlpacaFeedOptions {
  readonly client: AlpacaClient;
  readonly symbols: readonly string[];
  /** Alpaca's timeframe: 1Min, 5Min, 1Hour, 1Day … */
  readonly timeframe: string;
  readonly pollMs?: number;
  /** how far back the first poll reaches (warm-up bars for indicators) */
  readonly lookbackMs?: number;
  readonly feed?: string;
  readonly archive?: BarArchive;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** a failed poll (it is retried at the next interval); counts toward the circuit breaker */
  readonly onError?: (message: string) => void;
}

export const DEFAULT_POLL_MS = 15_000;
export const DEFAULT_LOOKBACK_MS = 3 * 86_400_000;
/** Pages read per symbol per poll, so that one poll is bounded. */
export const MAX_PAGES = 20;

/** Yields bars in time order as they appear, forever (until the signal aborts). */
export async function* alpacaBarFeed(options: AlpacaFeedOptions): AsyncGenerator<Bar> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const last = new Map<string, number>();
  const start = now() - (options.lookbackMs ?? DEFAULT_LOOKBACK_MS);
  while (!options.signal?.aborted) {
    const fresh: Bar[] = [];
    for (const symbol of options.symbols) {
      try {
        const since = last.get(symbol);
        const bars = await fetchSince(options, symbol, since === undefined ? start : since + 1);
        fresh.push(...bars);
        if (bars.length) last.set(symbol, bars[bars.length - 1]!.time);
      } catch (error) {
        options.onError?.(`market data for ${symbol}: ${(error as Error).message}`);
      }
    }
    fresh.sort((a, b) => a.time - b.time || options.symbols.indexOf(a.symbol) - options.symbols.indexOf(b.symbol));
    if (fresh.length) options.archive?.write(options.timeframe, fresh, "alpaca");
    for (const bar of fresh) yield bar;
    if (options.signal?.aborted) return;
    await sleep(options.pollMs ?? DEFAULT_POLL_MS, options.signal);
  }
}

async function fetchSince(options: AlpacaFeedOptions, symbol: string, since: number): Promise<Bar[]> {
  const out: Bar[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await options.client.getBars(symbol, {
      timeframe: options.timeframe,
      start: new Date(since).toISOString(),
      limit: 10_000,
      ...(options.feed ? { feed: options.feed } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    out.push(...(response.bars ?? []).map((b) => toBar(symbol, b)));
    if (!response.next_page_token) break;
    pageToken = response.next_page_token;
  }
  return out.filter((b) => b.time >= since);
}

export function toBar(symbol: string, b: AlpacaBar): Bar {
  return { symbol, time: Date.parse(b.t), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
}
