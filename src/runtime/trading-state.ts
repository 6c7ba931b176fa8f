/**
 * The one trading-state switch (NautilusTrader's TradingState): `active` trades, `reducing` only lets orders
 * through that shrink a position, `halted` sends nothing. The CLI (`tradeops halt`), the HTTP control API,
 * the halt file and the risk rules all flip this same switch, and every change is recorded.
 */
import type { TradingState } from "./types.js";

export interface StateChange {
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
  /** who flipped it: `risk:<rule>`, `kill-switch`, `control`, `operator` … */
  readonly source: string;
}

/** Which transitions are allowed: any state may go anywhere, but a no-op is not a change. */
export const TRADING_STATE_TRANSITIONS: Readonly<Record<TradingState, readonly TradingState[]>> = {
  active: ["reducing", "halted"],
  reducing: ["active", "halted"],
  halted: ["active", "reducing"],
};

export class TradingStateSwitch {
  state: TradingState = "active";
  reason = "";
  source = "";
  readonly #listeners: ((change: StateChange) => void)[] = [];

  /** Flips the switch; returns false when it was already in that state. */
  set(to: TradingState, reason: string, source: string): boolean {
    const from = this.state;
    if (!TRADING_STATE_TRANSITIONS[from].includes(to)) return false;
    this.state = to;
    this.reason = reason;
    this.source = source;
    for (const listener of this.#listeners) listener({ from, to, reason, source });
    return true;
  }

  onChange(listener: (change: StateChange) => void): void {
    this.#listeners.push(listener);
  }
}
