/**
 * The kernel every mode shares (NautilusTrader's NautilusKernel): one strategy, one portfolio, one risk layer,
 * one trading-state switch, one venue and one sink. Modes differ only in what drives it: a backtest loops over
 * columns, a replay paces bars in wall time, a live feed polls a broker. `onBar` is the hot path: it allocates
 * nothing and takes no branch that a quiet bar does not need.
 */
import { TroError } from "../errors.js";
import { type Clock, SimulatedClock } from "./clock.js";
import type { StrategyContextImpl } from "./context.js";
import { allocateSeries, type BarSeries, BarView, writeBar } from "./data/bars.js";
import { KernelDecisions, type KernelOptions } from "./decisions.js";
import { EquityCurve } from "./equity-curve.js";
import type { ExecutionVenue } from "./execution/venue.js";
import { strategyIntervalMs } from "./strategy.js";
import type { Bar } from "./types.js";

/** Kernel lifecycle: the only transitions there are. */
export const KERNEL_TRANSITIONS = { created: ["running"], running: ["stopped"], stopped: [] } as const;
export type KernelState = keyof typeof KERNEL_TRANSITIONS;

export type { KernelOptions } from "./decisions.js";

type BarHook<P, S> = (ctx: StrategyContextImpl<P, S>, bar: BarView) => void;

export class Kernel<P = unknown, S = unknown> extends KernelDecisions<P, S> {
  lifecycle: KernelState = "created";
  /** equity after each bar */
  readonly equity: EquityCurve;
  /** the bar the strategy sees, moved along whichever series runs */
  readonly bar: BarView;
  readonly #onBar: BarHook<P, S> | undefined;
  readonly #stopTimers: (() => void)[] = [];
  readonly #clock: Clock;
  readonly #venue: ExecutionVenue;
  /** the one-bar series that feed bars are written into */
  readonly #slot: BarSeries;

  constructor(options: KernelOptions<P, S>) {
    super(options);
    this.#clock = options.clock;
    this.#venue = options.venue;
    this.#slot = allocateSeries(options.symbols, 1);
    this.bar = new BarView(this.#slot);
    this.#onBar = options.strategy.onBar as BarHook<P, S> | undefined;
    this.equity = new EquityCurve(Math.max(16, options.expectedBars ?? 1024));
  }

  override barTime(): number {
    return this.bar.time;
  }

  /** Runs `onStart` and arms the interval timer. */
  start(): void {
    this.#transition("running");
    const { strategy, clock } = this.options;
    const interval = strategyIntervalMs(strategy, this.options.params);
    if (interval > 0 && strategy.onInterval) {
      const onInterval = strategy.onInterval;
      this.#stopTimers.push(clock.every(interval, () => this.guard("onInterval", () => onInterval(this.ctx))));
    }
    if (strategy.onStart) this.guard("onStart", () => strategy.onStart!(this.ctx));
  }

  /** One bar from a feed (replay, live): it goes through the same steps as a backtest's bars. */
  onBar(input: Bar): void {
    const s = this.symbolIndex.get(input.symbol);
    if (s === undefined) {
      this.error(`the feed sent a bar for ${input.symbol}, which this strategy does not trade`);
      return;
    }
    writeBar(this.#slot, 0, input, s);
    this.runSeries(this.#slot, 0, 1);
  }

  /**
   * The hot path: bars `from` to `to` of a series. Time moves, the venue fills, the portfolio marks, risk
   * watches equity, the strategy decides. Nothing is allocated per bar; a strategy error is recorded and
   * the loop goes on with the next bar.
   */
  runSeries(series: BarSeries, from: number, to: number): void {
    this.bar.series = series;
    const curve = this.equity;
    curve.reserve(to - from);
    const offset = curve.count - from;
    const simulated = this.#clock instanceof SimulatedClock ? this.#clock : undefined;
    let i = from;
    while (i < to) {
      try {
        i =
          simulated === undefined
            ? this.#loop(series, i, to, offset)
            : this.#loopSimulated(simulated, series, i, to, offset);
      } catch (error) {
        this.strategyError("onBar", error);
        i = this.bar.index + 1;
      }
    }
    if (series === this.#slot) for (let k = from; k < to; k++) curve.noteTime(series.time[k]!);
    else curve.noteSeries(series, from, to);
  }

  /**
   * `#loop` for a simulated clock (backtests, replays): bars arrive in time order, so time is set, not
   * compared; timers fire only when one is due.
   */
  #loopSimulated(clock: SimulatedClock, series: BarSeries, from: number, to: number, offset: number): number {
    const venue = this.#venue;
    const openOrders = this.openOrders;
    const risk = this.risk;
    const portfolio = this.portfolio;
    const ctx = this.ctx;
    const bar = this.bar;
    const onBar = this.#onBar;
    const equityValues = this.equity.values;
    const { time, open, close, symbolIndex } = series;
    // a series known in advance moves only the bar view: the clock and the risk layer read their time from it
    const follows = series !== this.#slot;
    if (follows) {
      clock.follow(bar);
      risk.followData(bar);
    } else {
      clock.follow(undefined);
      risk.followData(undefined);
    }
    // one symbol: every bar is symbol 0's, its index column need not be read nor its position looked up
    const single = series.symbols.length === 1;
    const only = portfolio.positions[0]!;
    for (let i = from; i < to; i++) {
      // (the time column is read on every bar even without a timer: an order reads the bar's time, and a column the
      // loop does not stream is a cache miss for each of them, which cost more than the reads)
      const t = time[i]!;
      // timers due before this bar fire first, while the view still shows the previous bar
      if (clock.nextDue < t) clock.advanceTo(t);
      // (what bar.moveTo(i) does, written out: see BarView.at)
      bar.at = i;
      bar.closeAt = close[i]!;
      bar.openAt = open[i]!;
      if (!follows) {
        clock.time = t;
        risk.lastDataTime = t;
      }
      // a venue only has something to do for this bar when an order is open (its reports are about orders)
      if (openOrders.length !== 0) venue.onBar(bar);
      if (single) portfolio.markPosition(only, bar.close);
      else portfolio.mark(symbolIndex[i]!, bar.close);
      const equity = portfolio.cash + portfolio.value;
      if (risk.track(equity)) this.tripStopLoss(equity);
      equityValues[i + offset] = equity;
      if (onBar !== undefined) onBar(ctx, bar);
    }
    return to;
  }

  /** Returns `to` when done; throws what the strategy threw, at bar `this.bar.index`. */
  #loop(series: BarSeries, from: number, to: number, offset: number): number {
    const clock = this.#clock;
    const venue = this.#venue;
    const risk = this.risk;
    const portfolio = this.portfolio;
    const ctx = this.ctx;
    const bar = this.bar;
    const onBar = this.#onBar;
    const equityValues = this.equity.values;
    const { time, open, close, symbolIndex } = series;
    for (let i = from; i < to; i++) {
      const t = time[i]!;
      // (what bar.moveTo(i) does, written out: see BarView.at)
      bar.at = i;
      bar.closeAt = close[i]!;
      bar.openAt = open[i]!;
      clock.advanceTo(t);
      risk.lastDataTime = clock.now();
      venue.onBar(bar);
      portfolio.mark(symbolIndex[i]!, bar.close);
      const equity = portfolio.cash + portfolio.value;
      if (risk.track(equity)) this.tripStopLoss(equity);
      equityValues[i + offset] = equity;
      if (onBar !== undefined) onBar(ctx, bar);
    }
    return to;
  }

  /** Applies venue reports between bars (real-time modes). */
  drain(): void {
    this.options.venue.drain();
  }

  /** Runs `onStop` and cancels the timers. */
  stop(): void {
    if (this.lifecycle !== "running") return;
    for (const cancel of this.#stopTimers.splice(0)) cancel();
    const onStop = this.options.strategy.onStop;
    if (onStop) this.guard("onStop", () => onStop(this.ctx));
    this.#transition("stopped");
  }

  #transition(to: KernelState): void {
    if (!(KERNEL_TRANSITIONS[this.lifecycle] as readonly KernelState[]).includes(to)) {
      throw new TroError("TRO_ERR_INTERNAL", `The strategy kernel cannot go from ${this.lifecycle} to ${to}.`);
    }
    this.lifecycle = to;
  }
}
