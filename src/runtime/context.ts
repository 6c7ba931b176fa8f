/**
 * The context a strategy's hooks receive. A thin face over the kernel: orders go through its risk layer,
 * positions and cash come from its portfolio, time from its clock. No method tells the mode except `runtime()`.
 */
import type { KernelDecisions } from "./decisions.js";
import { Position } from "./portfolio.js";
import type { OrderOptions, OrderView, PositionView, StrategyContext, StrategyLog } from "./strategy.js";
import type { OrderRequest, RuntimeInfo, StrategySignal, TradingState } from "./types.js";

const SIGNAL_SIDES = new Set(["buy", "sell", "flat"]);

export class StrategyContextImpl<P, S> implements StrategyContext<P, S> {
  /** private: a strategy reaching for the kernel would learn the mode without asking */
  readonly #kernel: KernelDecisions<P, S>;

  constructor(
    kernel: KernelDecisions<P, S>,
    readonly params: P,
    readonly state: S,
    readonly log: StrategyLog,
  ) {
    this.#kernel = kernel;
  }

  get symbols(): readonly string[] {
    return this.#kernel.options.symbols;
  }

  get cash(): number {
    return this.#kernel.portfolio.cash;
  }

  get equity(): number {
    return this.#kernel.portfolio.equity;
  }

  now(): number {
    return this.#kernel.options.clock.now();
  }

  price(symbol: string): number {
    const i = this.#kernel.symbolIndex.get(symbol);
    return i === undefined ? Number.NaN : this.#kernel.portfolio.positions[i]!.lastPrice;
  }

  position(symbol: string): PositionView {
    const i = this.#kernel.symbolIndex.get(symbol);
    return i === undefined ? new Position(symbol) : this.#kernel.portfolio.positions[i]!;
  }

  buy(symbol: string, qty: number, options?: OrderOptions): OrderView {
    return this.#place(symbol, "buy", qty, options);
  }

  sell(symbol: string, qty: number, options?: OrderOptions): OrderView {
    return this.#place(symbol, "sell", qty, options);
  }

  order(request: OrderRequest): OrderView {
    const type = request.type ?? (request.limitPrice === undefined ? "market" : "limit");
    const limit = type === "limit" ? (request.limitPrice ?? Number.NaN) : 0;
    return this.#kernel.submit(request.symbol, request.side, request.qty, type, limit, request.reason ?? "");
  }

  cancel(order: OrderView | string): void {
    const id = typeof order === "string" ? order : order.id;
    const found = this.#kernel.openOrders.find((o) => o.id === id);
    if (found) this.#kernel.cancel(found);
  }

  openOrders(symbol?: string): readonly OrderView[] {
    const open = this.#kernel.openOrders;
    return symbol === undefined ? [...open] : open.filter((o) => o.symbol === symbol);
  }

  signal(signal: StrategySignal): void {
    const { symbol, side, strength, reason } = signal;
    if (!this.#kernel.symbolIndex.has(symbol) || !SIGNAL_SIDES.has(side) || !(strength >= 0 && strength <= 1)) {
      this.#kernel.error(`strategy emitted an invalid signal: ${JSON.stringify(signal)}`);
      return;
    }
    // the bar it was decided on: live, the clock is the wall's, and signal parity compares decisions per bar
    const bar = this.#kernel.barTime();
    const data: Record<string, unknown> = { side, strength, reason: String(reason ?? "") };
    if (bar > 0) data.bar = new Date(bar).toISOString(); // not a spread: V8 11 gives `{ ...a, b }` a new map per call
    this.#kernel.record("signal", symbol, data);
  }

  plot(symbol: string, name: string, value: number): void {
    this.#kernel.plots?.add(symbol, name, this.#kernel.options.clock.now(), value);
  }

  tradingState(): TradingState {
    return this.#kernel.tradingState.state;
  }

  runtime(): RuntimeInfo {
    return this.#kernel.options.runtime;
  }

  #place(symbol: string, side: "buy" | "sell", qty: number, options: OrderOptions | undefined): OrderView {
    if (options === undefined) return this.#kernel.submit(symbol, side, qty, "market", 0, "");
    const limit = options.limit;
    return this.#kernel.submit(
      symbol,
      side,
      qty,
      limit === undefined ? "market" : "limit",
      limit ?? 0,
      options.reason ?? "",
    );
  }
}
