/**
 * The execution port: where orders that passed risk go. A simulated broker (backtest, simulated paper) and a
 * broker adapter (Alpaca paper or live) implement it; the kernel cannot tell them apart, and neither can the
 * strategy. Venues report back through `VenueListener`; reports from asynchronous venues are applied by the
 * kernel at its next step, at the same point where a simulated venue fills, so event order is the same.
 */
import type { BarView } from "../data/bars.js";
import type { Order } from "../orders.js";
import type { Portfolio } from "../portfolio.js";

export interface VenueListener {
  fill(order: Order, qty: number, price: number, fee: number): void;
  /**
   * the venue refused the order (insufficient buying power, bad request …), or — rule `lease` — the order permit
   * refused it immediately before the send because the executor lease moved on
   */
  reject(order: Order, reason: string, rule?: "venue" | "lease"): void;
  canceled(order: Order): void;
  /** a failure talking to the venue; counts toward the circuit breaker */
  error(message: string): void;
}

/** What a broker account holds when a run starts: the kernel starts from it, not from a default. */
export interface VenueSnapshot {
  readonly cash?: number;
  readonly positions: readonly { readonly symbol: string; readonly qty: number; readonly avgPrice: number }[];
  /** e.g. `paper account PA3X… (ACTIVE)`; never a key */
  readonly description?: string;
}

export interface ExecutionVenue {
  /** `simulated`, `alpaca-paper`, `alpaca-live` */
  readonly name: string;
  /** paper money or real money; a simulated venue is paper */
  readonly account: "paper" | "live";
  /**
   * Before anything else: account guards, the broker's account and positions. A refusal throws, and no order
   * endpoint has been called.
   */
  open(): Promise<VenueSnapshot>;
  attach(listener: VenueListener, portfolio: Portfolio): void;
  submit(order: Order): void;
  cancel(order: Order): void;
  /** Before the strategy sees a bar: a simulated venue matches resting orders, an async one applies reports. */
  onBar(bar: BarView): void;
  /** Applies reports received since the last step (real-time modes call it between bars). */
  drain(): void;
  /** Sends what was submitted or cancelled since the last flush (no-op for simulated venues). */
  flush(): Promise<void>;
  /** Fetches fills and status changes from the venue (no-op for simulated venues). */
  sync(): Promise<void>;
  close(): Promise<void>;
}
