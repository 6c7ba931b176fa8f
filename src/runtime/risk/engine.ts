/**
 * The risk layer every order passes, in every mode: trading state, read-only, auto-execute, the idle pause,
 * data staleness, max trade, max position and the order rate. A refusal names its rule and says why in one
 * sentence; the kernel records it. The emergency stop-loss and the circuit breaker live here too, as state
 * the kernel consults on every bar and every error.
 */
import type { Portfolio } from "../portfolio.js";
import type { RefusalRule } from "../records.js";
import type { TradingStateSwitch } from "../trading-state.js";
import type { Side } from "../types.js";
import type { RiskSettings } from "./settings.js";
import { WindowCounter } from "./window-counter.js";

export interface Refusal {
  readonly rule: RefusalRule;
  readonly message: string;
}

const MINUTE_MS = 60_000;

export class RiskEngine {
  /** non-empty while development auto-execution is paused (idle, asleep) */
  paused = "";
  /** non-empty while a required signal store cannot record: no order may go unrecorded */
  storeHold = "";
  #lastData = Number.NEGATIVE_INFINITY;
  /** the bar view a backtest loop moves: its time is the last bar's (see `SimulatedClock.follow`) */
  #bar: { readonly time: number } | undefined;

  /** kernel time the last bar arrived */
  get lastDataTime(): number {
    return this.#bar !== undefined ? this.#bar.time : this.#lastData;
  }
  set lastDataTime(t: number) {
    this.#lastData = t;
    this.#bar = undefined;
  }

  /** Takes the last bar's time from a bar view from now on (undefined: stop). */
  followData(bar: { readonly time: number } | undefined): void {
    if (bar === undefined && this.#bar !== undefined) this.#lastData = this.#bar.time;
    this.#bar = bar;
  }
  // numeric fields start as numbers: a field declared without a value starts undefined, and V8 then boxes every
  // number stored in it (a heap allocation per store, here once per new equity high)
  /** equity high-water mark and the level at which the emergency stop-loss trips */
  peak = 0;
  stopLevel = Number.NEGATIVE_INFINITY;
  /** 1 − stop-loss fraction; 0 when the stop-loss is off */
  readonly stopFactor: number = 0;
  readonly #orders: WindowCounter;
  readonly #errors: WindowCounter;
  /** `track`'s candidates: the mark and stop level as they are, and as a new high would make them */
  readonly #pick = new Float64Array(4);
  /** the equity `track` last saw, while the mark and the stop level are as it left them (NaN: none) */
  #tracked = Number.NaN;

  constructor(
    readonly settings: RiskSettings,
    readonly state: TradingStateSwitch,
    readonly portfolio: Portfolio,
  ) {
    this.#orders = new WindowCounter(settings.maxOrdersPerMinute, MINUTE_MS);
    this.#errors = new WindowCounter(settings.circuitBreakerErrors, settings.circuitBreakerWindowMs);
    const pct = settings.emergencyStopLossPct;
    this.stopFactor = pct > 0 ? 1 - pct : 0;
    this.peak = portfolio.equity;
    this.raisePeak(portfolio.equity);
  }

  /** A new high-water mark moves the stop-loss level up with it. */
  raisePeak(equity: number): void {
    this.peak = equity;
    this.stopLevel = this.stopFactor > 0 ? equity * this.stopFactor : Number.NEGATIVE_INFINITY;
    this.#tracked = Number.NaN;
  }

  /**
   * One bar's equity against the high-water mark, on every bar of every mode: true when it trips the emergency
   * stop-loss (the caller trips it, and the mark stays), otherwise a new high moves the mark and the stop level up
   * as `raisePeak` does. The same decisions as `if (equity > peak) raisePeak(equity) else if (equity < stopLevel)
   * trip`, taken without a branch on "new high?": while a position gains, new highs come at random, and that branch
   * mispredicted often enough to cost a fifth of a backtest's time per bar. Both candidates go into a scratch array
   * and the comparison, as a 0 or 1, picks one. An equity more than `DRAWDOWN` below the mark takes a branch instead:
   * in a drawdown no new high comes for many bars in a row, the branch predicts that, and it is cheaper than the pick.
   */
  track(equity: number): boolean {
    // a quiet bar (no position, no fill) brings the equity the last call saw: the same answer, nothing to move.
    // (Kept this small, V8 inlines it into the bar loop whatever else competes for its inlining budget.)
    return equity === this.#tracked ? false : this.moveMark(equity);
  }

  /** `track` for an equity that moved. */
  moveMark(equity: number): boolean {
    const peak = this.peak;
    const stop = this.stopLevel;
    if (equity < peak - Math.abs(peak) * DRAWDOWN) {
      // in a drawdown: not a new high, and only the stop can trip
      if (equity < stop) return true;
      this.#tracked = equity;
      return false;
    }
    const up = Number(equity > peak);
    if (equity < stop && up === 0) return true;
    const pick = this.#pick;
    pick[0] = peak;
    pick[1] = equity;
    pick[2] = stop;
    pick[3] = this.stopFactor > 0 ? equity * this.stopFactor : Number.NEGATIVE_INFINITY;
    this.peak = pick[up]!;
    const level = pick[2 + up]!;
    this.stopLevel = level;
    // (an equity below its own new stop level, possible only below zero, trips on the next call: not remembered)
    this.#tracked = equity >= level ? equity : Number.NaN;
    return false;
  }

  /** After a stop-loss trip: nothing more to trip until trading resumes. */
  disarmStopLoss(): void {
    this.stopLevel = Number.NEGATIVE_INFINITY;
    this.#tracked = Number.NaN;
  }

  /** Counts an error; true when this one trips the circuit breaker. */
  countError(now: number): boolean {
    return this.#errors.add(now) >= this.settings.circuitBreakerErrors;
  }

  resetErrors(): void {
    this.#errors.reset();
  }

  isDataStale(now: number): boolean {
    return now - this.lastDataTime > this.settings.heartbeatTimeoutMs;
  }

  /**
   * Decides one order: `null` lets it through (and counts it against the rate), a `Refusal` says why not.
   * `flatten` orders (the stop-loss closing positions) pass the state, size and rate rules.
   */
  check(symbolIndex: number, side: Side, qty: number, price: number, now: number, flatten: boolean): Refusal | null {
    if (!(qty > 0 && Number.isFinite(qty))) return refuse("invalid", `quantity ${qty} is not a positive number`);
    if (symbolIndex < 0) return refuse("invalid", "the symbol is not one this strategy trades");
    if (!(price > 0 && Number.isFinite(price))) return refuse("invalid", "there is no price for the symbol yet");
    const s = this.settings;
    if (s.readOnly) return refuse("read_only", "read-only mode: no order is ever sent");
    if (!s.autoExecute) return refuse("auto_execute_off", "auto-execute is off: signals only");
    if (this.paused !== "") return refuse("paused", `auto-execution paused: ${this.paused}`);
    if (this.storeHold !== "") return refuse("signal_store", `no order without its record: ${this.storeHold}`);
    if (flatten) return null;
    const position = this.portfolio.positions[symbolIndex]!.qty;
    const dir = side === "buy" ? 1 : -1;
    const reduces = position !== 0 && Math.sign(position) !== dir && qty <= Math.abs(position);
    const state = this.state.state;
    if (state === "halted") return refuse("halted", `trading is halted (${this.state.reason})`);
    if (state === "reducing" && !reduces) {
      return refuse("reducing", `trading is reducing (${this.state.reason}): only orders that shrink a position`);
    }
    if (this.isDataStale(now)) {
      return refuse(
        "data_stale",
        `data is stale: the last bar arrived ${duration(now - this.lastDataTime)} ago (limit ${duration(s.heartbeatTimeoutMs)})`,
      );
    }
    const notional = qty * price;
    if (notional > s.maxTradeUsd) {
      return refuse("max_trade_usd", `order value ${usd(notional)} exceeds max trade ${usd(s.maxTradeUsd)}`);
    }
    const after = Math.abs(position + dir * qty) * price;
    if (!reduces && after > s.maxPositionUsd) {
      return refuse("max_position_usd", `position would be ${usd(after)}, above max position ${usd(s.maxPositionUsd)}`);
    }
    if (this.#orders.isFull(now)) {
      return refuse("order_rate", `order rate limit: ${s.maxOrdersPerMinute} orders in the last minute`);
    }
    this.#orders.add(now);
    return null;
  }
}

/** how far below its high-water mark (a fraction of it) an equity counts as in a drawdown, for `moveMark` */
const DRAWDOWN = 0.01;

function refuse(rule: RefusalRule, message: string): Refusal {
  return { rule, message };
}

export function usd(value: number): string {
  return `$${value.toLocaleString("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2 })}`;
}

/** `6m 0s`, `2h 5m`, `3d 4h`: how long, for people. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "ever";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}
