/**
 * The decisions half of the kernel: every order request through the risk layer, every venue report into the
 * portfolio, every trading-state change, and every one of them recorded. `Kernel` adds the clock and the bar
 * loop on top; nothing here runs per bar.
 */
import type { Clock } from "./clock.js";
import { StrategyContextImpl } from "./context.js";
import type { OrderGate } from "./execution/gate.js";
import type { ExecutionVenue, VenueListener } from "./execution/venue.js";
import { Order, removeOrder, roundQty } from "./orders.js";
import { PlotStore } from "./plots.js";
import { type DustThreshold, Portfolio } from "./portfolio.js";
import { CountingSink, type RecordKind, type RuntimeRecord, type SignalSink } from "./records.js";
import { RiskEngine } from "./risk/engine.js";
import type { RiskSettings } from "./risk/settings.js";
import type { Strategy, StrategyLog } from "./strategy.js";
import { TradingStateSwitch } from "./trading-state.js";
import type { OrderType, RuntimeInfo, Side } from "./types.js";

export interface KernelOptions<P, S> {
  readonly strategy: Strategy<P, S>;
  readonly params: P;
  readonly symbols: readonly string[];
  readonly clock: Clock;
  readonly venue: ExecutionVenue;
  readonly sink: SignalSink;
  readonly risk: RiskSettings;
  readonly initialCash: number;
  readonly runtime: RuntimeInfo;
  /** part of every client order id: `<strategy>-<runId>-<seq>` */
  readonly runId: string;
  readonly log?: StrategyLog;
  /** the trading node's order permit (orders switch and executor lease); none in backtests */
  readonly gate?: OrderGate;
  /** room for this many equity points before growing (a backtest knows its length) */
  readonly expectedBars?: number;
  /** keep what the strategy plots (`ctx.plot`) for a report: backtests */
  readonly keepPlots?: boolean;
  /** simulated venues: per symbol, when a position counts as flat (see `DustThreshold`) */
  readonly dust?: readonly (DustThreshold | undefined)[];
}

const SILENT: StrategyLog = { debug() {}, info() {}, warn() {} };

export class KernelDecisions<P = unknown, S = unknown> implements VenueListener {
  readonly portfolio: Portfolio;
  readonly tradingState = new TradingStateSwitch();
  readonly risk: RiskEngine;
  readonly ctx: StrategyContextImpl<P, S>;
  readonly symbolIndex: ReadonlyMap<string, number>;
  readonly openOrders: Order[] = [];
  /** what the strategy plotted, when the run keeps it */
  readonly plots: PlotStore | undefined;
  #seq = 0;
  #orderSeq = 0;
  readonly #orderPrefix: string;
  /** a backtest's counting sink: orders and fills are counted without building records */
  readonly #counter: CountingSink | undefined;

  constructor(readonly options: KernelOptions<P, S>) {
    const { strategy, symbols } = options;
    this.portfolio = new Portfolio(symbols, options.initialCash, options.dust);
    this.risk = new RiskEngine(options.risk, this.tradingState, this.portfolio);
    this.symbolIndex = new Map(symbols.map((s, i) => [s, i]));
    this.#counter = options.sink instanceof CountingSink ? options.sink : undefined;
    this.#orderPrefix = `${strategy.name}-${options.runId}-`;
    this.plots = options.keepPlots ? new PlotStore() : undefined;
    const state = (strategy.init ? strategy.init(options.params) : undefined) as S;
    this.ctx = new StrategyContextImpl(this, options.params, state, options.log ?? SILENT);
    this.tradingState.onChange((c) => this.record("state", undefined, { ...c }));
    options.venue.attach(this, this.portfolio);
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** The time of the bar the strategy decides on (0 before the first bar). */
  barTime(): number {
    return 0;
  }

  get venue(): ExecutionVenue {
    return this.options.venue;
  }

  /** Every order request goes through here: risk decides, the decision is recorded, the venue gets it. */
  submit(
    symbol: string,
    side: Side,
    qty: number,
    type: OrderType,
    limitPrice: number,
    reason: string,
    flatten = false,
  ): Order {
    const s = this.symbolIndex.get(symbol) ?? -1;
    const now = this.options.clock.now();
    const order = new Order(
      this.#orderPrefix,
      ++this.#orderSeq,
      symbol,
      s,
      side,
      roundQty(qty),
      type,
      limitPrice,
      now,
      reason,
    );
    const price = type === "limit" ? limitPrice : s >= 0 ? this.portfolio.positions[s]!.lastPrice : Number.NaN;
    const refusal = this.risk.check(s, side, order.qty, price, now, flatten);
    if (refusal !== null) {
      order.status = "rejected";
      order.rejectReason = refusal.message;
      this.record("rejected", symbol, { order: order.describe(), rule: refusal.rule, reason: refusal.message });
      return order;
    }
    const gate = this.options.gate;
    if (gate !== undefined) {
      const permit = gate.decide();
      if (!permit.ok) {
        order.status = "rejected";
        order.rejectReason = permit.reason;
        const shadow = permit.rule === "shadow";
        this.record("rejected", symbol, { order: order.describe(), rule: permit.rule, reason: permit.reason, shadow });
        return order;
      }
      order.token = permit.token;
    }
    this.openOrders.push(order);
    if (this.#counter !== undefined) this.#counter.tally("order");
    else this.record("order", symbol, gate ? { ...order.describe(), token: order.token } : order.describe());
    this.options.venue.submit(order);
    return order;
  }

  cancel(order: Order): void {
    if (order.isOpen) this.options.venue.cancel(order);
  }

  /** Kill switch and operators: halt cancels every open order. */
  halt(reason: string, source: string): void {
    if (this.tradingState.set("halted", reason, source)) this.#cancelAll();
  }

  reduce(reason: string, source: string): void {
    this.tradingState.set("reducing", reason, source);
  }

  /** Back to active: the stop-loss re-arms from today's equity, the breaker forgets old errors. */
  resume(reason: string, source: string): void {
    if (!this.tradingState.set("active", reason, source)) return;
    this.risk.raisePeak(this.portfolio.equity);
    this.risk.resetErrors();
  }

  /** Development idle pause: orders are refused with the reason until it clears. */
  setPaused(reason: string): void {
    if (reason === this.risk.paused) return;
    const was = this.risk.paused;
    this.risk.paused = reason;
    this.record("state", undefined, reason ? { paused: true, reason } : { paused: false, reason: `resumed (${was})` });
  }

  /** A required signal store that cannot record holds every order until it can again. */
  setStoreHold(reason: string): void {
    if (reason === this.risk.storeHold) return;
    this.risk.storeHold = reason;
    this.record(
      "state",
      undefined,
      reason ? { held: true, reason } : { held: false, reason: "signal store recording again" },
    );
  }

  /** An error outside the strategy (venue, feed); it counts toward the circuit breaker. */
  error(message: string): void {
    const now = this.options.clock.now();
    this.record("error", undefined, { message });
    if (this.risk.countError(now) && this.tradingState.state !== "halted") {
      const { circuitBreakerErrors: n, circuitBreakerWindowMs: ms } = this.risk.settings;
      this.halt(`circuit breaker: ${n} errors within ${Math.round(ms / 1000)}s`, "risk:circuit_breaker");
    }
  }

  // VenueListener
  fill(order: Order, qty: number, price: number, fee: number): void {
    const filled = order.filledQty;
    order.avgFillPrice = (order.avgFillPrice * filled + price * qty) / (filled + qty);
    order.filledQty = roundQty(filled + qty);
    order.status = order.filledQty >= order.qty ? "filled" : "partially_filled";
    if (order.status === "filled") this.#forget(order);
    const time = this.options.clock.now();
    this.portfolio.applyFill(order.symbolIndex, order.side, qty, price, fee, time, order.reason);
    if (this.#counter !== undefined) this.#counter.tally("fill");
    else this.record("fill", order.symbol, { orderId: order.id, side: order.side, qty, price, fee });
    const onFill = this.options.strategy.onFill;
    if (onFill) this.guard("onFill", () => onFill(this.ctx, { order, qty, price, fee, time }));
  }

  reject(order: Order, reason: string, rule: "venue" | "lease" = "venue"): void {
    order.status = "rejected";
    order.rejectReason = reason;
    this.#forget(order);
    this.record("rejected", order.symbol, { order: order.describe(), rule, reason, token: order.token });
    // a fenced send is the permit doing its job, not a venue failing: it does not count toward the breaker
    if (rule === "venue") this.error(`venue refused order ${order.id}: ${reason}`);
  }

  canceled(order: Order): void {
    order.status = "canceled";
    this.#forget(order);
    if (this.#counter !== undefined) this.#counter.tally("canceled");
    else this.record("canceled", order.symbol, { orderId: order.id });
  }

  record(kind: RecordKind, symbol: string | undefined, payload: Record<string, unknown>): void {
    const record: RuntimeRecord = {
      seq: ++this.#seq,
      time: this.options.clock.now(),
      kind,
      strategy: this.options.strategy.name,
      symbol,
      payload,
    };
    this.options.sink.append(record);
  }

  protected tripStopLoss(equity: number): void {
    const pct = this.risk.settings.emergencyStopLossPct;
    const drawdown = 1 - equity / this.risk.peak;
    this.risk.disarmStopLoss();
    this.halt(
      `emergency stop-loss: drawdown ${(drawdown * 100).toFixed(1)}% reached the ${(pct * 100).toFixed(1)}% limit`,
      "risk:emergency_stop_loss",
    );
    if (this.risk.settings.flattenOnStopLoss) this.flatten("emergency stop-loss");
  }

  /** Closes every position with market orders that bypass the trading state. */
  flatten(reason: string): void {
    this.portfolio.positions.forEach((p) => {
      if (p.qty !== 0) this.submit(p.symbol, p.qty > 0 ? "sell" : "buy", Math.abs(p.qty), "market", 0, reason, true);
    });
  }

  #cancelAll(): void {
    for (const order of [...this.openOrders]) this.cancel(order);
  }

  #forget(order: Order): void {
    removeOrder(this.openOrders, order);
  }

  protected guard(hook: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.strategyError(hook, error);
    }
  }

  protected strategyError(hook: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.error(`strategy ${hook} threw: ${message.split("\n")[0]}`);
  }
}
