/**
 * The simulated broker, used by backtests and by simulated paper trading alike: market orders fill at the
 * next bar's open (moved by slippage), limit orders at the open when it is through the limit or at the limit
 * when the bar trades through it, fees by the fee model, partial fills under a volume cap. An order never
 * fills on the bar during which it was placed. Buying power and held quantity are checked at submission, as
 * a broker does.
 */
import type { BarView } from "../data/bars.js";
import { type Order, removeClosed, removeOrder } from "../orders.js";
import type { Portfolio } from "../portfolio.js";
import { DEFAULT_SIMULATION, feeFor, type SimulationSettings } from "./models.js";
import type { ExecutionVenue, VenueListener, VenueSnapshot } from "./venue.js";

export class SimulatedBroker implements ExecutionVenue {
  readonly name = "simulated";
  readonly account = "paper";
  #listener: VenueListener | undefined;
  #portfolio: Portfolio | undefined;
  readonly #open: Order[] = [];

  constructor(readonly settings: SimulationSettings = DEFAULT_SIMULATION) {}

  attach(listener: VenueListener, portfolio: Portfolio): void {
    this.#listener = listener;
    this.#portfolio = portfolio;
  }

  get openOrders(): readonly Order[] {
    return this.#open;
  }

  submit(order: Order): void {
    const refusal = this.#affordability(order);
    if (refusal) {
      this.#listener!.reject(order, refusal);
      return;
    }
    order.status = "accepted";
    this.#open.push(order);
  }

  cancel(order: Order): void {
    if (!order.isOpen || !removeOrder(this.#open, order)) return;
    this.#listener!.canceled(order);
  }

  onBar(bar: BarView): void {
    if (this.#open.length === 0) return;
    this.#match(bar);
  }

  async open(): Promise<VenueSnapshot> {
    return { positions: [], description: "simulated broker" };
  }

  drain(): void {}
  async flush(): Promise<void> {}
  async sync(): Promise<void> {}
  async close(): Promise<void> {}

  #match(bar: BarView): void {
    const { slippageBps, volumeLimitPct, fees } = this.settings;
    let capacity = volumeLimitPct > 0 ? Math.floor(bar.volume * volumeLimitPct) : Number.POSITIVE_INFINITY;
    const open = this.#open;
    // orders placed by onFill during this loop land after `count` and wait for the next bar
    const count = open.length;
    for (let i = 0; i < count; i++) {
      const order = open[i]!;
      if (order.symbolIndex !== bar.symbolIndex || order.createdAt >= bar.time || !order.isOpen) continue;
      const price = fillPrice(order, bar, slippageBps);
      if (price === 0) continue;
      const qty = Math.min(order.remaining, capacity);
      if (qty <= 0) continue;
      capacity -= qty;
      this.#listener!.fill(order, qty, price, feeFor(fees, qty, price));
    }
    removeClosed(open);
  }

  #affordability(order: Order): string {
    const portfolio = this.#portfolio!;
    const position = portfolio.positions[order.symbolIndex]!;
    if (order.side === "sell") {
      if (this.settings.allowShort) return "";
      const held = position.qty - this.#committed(order.symbolIndex, "sell");
      return order.qty > held + 1e-9 ? `insufficient qty available: ${order.qty} asked, ${Math.max(0, held)} held` : "";
    }
    const price =
      order.type === "limit" ? order.limitPrice : position.lastPrice * (1 + this.settings.slippageBps / 10_000);
    const cost = order.qty * price + feeFor(this.settings.fees, order.qty, price);
    const available = portfolio.cash - this.#committed(order.symbolIndex, "buy", true);
    return cost > available + 1e-9 ? "insufficient buying power" : "";
  }

  /** What open orders already claim: shares for sells of one symbol, cash for buys of any. */
  #committed(symbolIndex: number, side: "buy" | "sell", cash = false): number {
    let total = 0;
    for (const o of this.#open) {
      if (o.side !== side) continue;
      if (cash) {
        const p = o.type === "limit" ? o.limitPrice : this.#portfolio!.positions[o.symbolIndex]!.lastPrice;
        total += o.remaining * p;
      } else if (o.symbolIndex === symbolIndex) total += o.remaining;
    }
    return total;
  }
}

/** The price an order fills at on this bar, or 0 when it does not fill. */
function fillPrice(order: Order, bar: BarView, slippageBps: number): number {
  if (order.type === "market") {
    const slip = slippageBps / 10_000;
    return order.side === "buy" ? bar.open * (1 + slip) : bar.open * (1 - slip);
  }
  const limit = order.limitPrice;
  if (order.side === "buy") return bar.open <= limit ? bar.open : bar.low <= limit ? limit : 0;
  return bar.open >= limit ? bar.open : bar.high >= limit ? limit : 0;
}
