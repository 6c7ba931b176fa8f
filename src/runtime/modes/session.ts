/**
 * What paper and live share: open the venue (guards, account, positions), build the kernel on the account's
 * cash and positions, run a feed through it. Returns a handle at once, so that a service can halt, resume
 * and watch the run while it goes.
 */
import { type Clock, RealClock, SimulatedClock } from "../clock.js";
import type { BarSeries } from "../data/bars.js";
import { replayBars } from "../data/replay.js";
import type { OrderGate } from "../execution/gate.js";
import type { ExecutionVenue } from "../execution/venue.js";
import { Kernel } from "../kernel.js";
import type { DustThreshold } from "../portfolio.js";
import type { SignalSink } from "../records.js";
import { DEFAULT_RISK, type RiskSettings } from "../risk/settings.js";
import type { Strategy, StrategyLog } from "../strategy.js";
import type { Bar, ExecutionMode } from "../types.js";
import { DEFAULT_INITIAL_CASH } from "./backtest.js";
import { type FeedSummary, runFeed } from "./feed.js";
import { ensureSymbols } from "./symbols.js";

/**
 * Archived bars played back (offline paper), or a feed of bars from elsewhere. A feed's time is the wall
 * clock (live data) unless `clock: "bars"` says the bars carry the time (a recorded session played by
 * someone else, such as a broker's market replay): then the kernel's clock follows them as in a backtest.
 */
export type FeedSpec =
  | { readonly kind: "replay"; readonly series: BarSeries; readonly speed: number; readonly description: string }
  | {
      readonly kind: "live";
      readonly bars: AsyncIterable<Bar>;
      readonly description: string;
      readonly clock?: "wall" | "bars";
    };

export interface SessionOptions<P, S> {
  readonly strategy: Strategy<P, S>;
  readonly params: P;
  readonly symbols: readonly string[];
  readonly feed: FeedSpec;
  readonly venue: ExecutionVenue;
  readonly sink: SignalSink;
  readonly risk?: RiskSettings;
  /** cash when the venue does not say (simulated broker) */
  readonly initialCash?: number;
  readonly environment: string;
  readonly runId: string;
  readonly log?: StrategyLog;
  readonly signal?: AbortSignal;
  readonly syncIntervalMs?: number;
  /** wall clock and timers for live feeds */
  readonly realClock?: Clock;
  readonly onBar?: (bar: Bar) => void;
  /** the order permit every order passes after risk (the trading node's orders switch and executor lease) */
  readonly gate?: OrderGate;
  /** runs once the kernel exists and before the first bar: apply a kill switch, an idle pause … */
  readonly prepare?: (kernel: Kernel<P, S>) => void;
  /** per symbol: when a position counts as flat; honoured by the simulated broker only (a broker keeps its own) */
  readonly dust?: readonly (DustThreshold | undefined)[];
}

export interface SessionHandle<P, S> {
  readonly kernel: Kernel<P, S>;
  readonly done: Promise<FeedSummary>;
}

/**
 * Opens the venue and starts the run.
 * @throws TroError TRO_ERR_GUARD_REFUSED (from the venue's guards), TRO_ERR_BROKER_UNAVAILABLE, TRO_ERR_DATA_SOURCE
 */
export async function startSession<P, S>(mode: ExecutionMode, o: SessionOptions<P, S>): Promise<SessionHandle<P, S>> {
  if (o.feed.kind === "replay") ensureSymbols(o.strategy, o.params, o.feed.series);
  const snapshot = await o.venue.open();
  const simulated = o.feed.kind === "replay" || o.feed.clock === "bars";
  const clock = simulated ? new SimulatedClock() : (o.realClock ?? new RealClock());
  const kernel = new Kernel<P, S>({
    strategy: o.strategy,
    params: o.params,
    symbols: o.symbols,
    clock,
    venue: o.venue,
    sink: o.sink,
    risk: o.risk ?? DEFAULT_RISK,
    initialCash: snapshot.cash ?? o.initialCash ?? DEFAULT_INITIAL_CASH,
    runtime: { mode, environment: o.environment, venue: o.venue.name, data: o.feed.description },
    runId: o.runId,
    log: o.log,
    ...(o.dust && o.venue.name === "simulated" ? { dust: o.dust } : {}),
    ...(o.gate ? { gate: o.gate } : {}),
  });
  for (const p of snapshot.positions) {
    const i = kernel.symbolIndex.get(p.symbol);
    if (i !== undefined) kernel.portfolio.seed(i, p.qty, p.avgPrice, clock.now());
  }
  kernel.risk.raisePeak(kernel.portfolio.equity);
  o.prepare?.(kernel);
  const bars =
    o.feed.kind === "replay" ? replayBars(o.feed.series, { speed: o.feed.speed, signal: o.signal }) : o.feed.bars;
  const done = runFeed(kernel, bars, { signal: o.signal, syncIntervalMs: o.syncIntervalMs, onBar: o.onBar });
  return { kernel, done };
}
