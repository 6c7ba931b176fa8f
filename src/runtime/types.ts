/**
 * The runtime's vocabulary, shared by the kernel, the venues, the data sources and the strategies. A domain
 * noun keeps its name everywhere: bar, order, fill, signal, position, decision, trading state.
 */

export type Side = "buy" | "sell";
export type OrderType = "market" | "limit";
export type ExecutionMode = "backtest" | "paper" | "live";
/** NautilusTrader's switch: active trades, reducing only shrinks positions, halted sends nothing. */
export type TradingState = "active" | "reducing" | "halted";
export type OrderStatus = "submitted" | "accepted" | "partially_filled" | "filled" | "canceled" | "rejected";

/** One OHLCV bar. `time` is the bar's timestamp in epoch milliseconds (UTC). */
export interface Bar {
  readonly symbol: string;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** What a strategy asks for; the risk layer decides whether it becomes an order sent to the venue. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type?: OrderType;
  /** required for limit orders */
  readonly limitPrice?: number;
  /** why the strategy wants it; recorded with the decision */
  readonly reason?: string;
}

/** A signal: what the strategy thinks, recorded whether or not an order follows. */
export interface StrategySignal {
  readonly symbol: string;
  readonly side: Side | "flat";
  /** conviction in [0, 1] */
  readonly strength: number;
  readonly reason: string;
}

/** What the strategy may learn about where it runs, when it asks (`ctx.runtime()`). */
export interface RuntimeInfo {
  readonly mode: ExecutionMode;
  readonly environment: string;
  readonly venue: string;
  readonly data: string;
}
