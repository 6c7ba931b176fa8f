/**
 * The strategy SDK: `defineStrategy({...})` declares typed parameters (a zod schema validated against the
 * project's config), a state factory and lifecycle hooks. Hooks are synchronous and see one context; the
 * runtime does all I/O around them, so the same strategy runs in backtest, paper and live unchanged, and it
 * never learns which mode it runs in unless it asks (`ctx.runtime()`).
 */
import type * as z from "zod";
import { type Problem, TroError } from "../errors.js";
import type {
  Bar,
  OrderRequest,
  OrderStatus,
  OrderType,
  RuntimeInfo,
  Side,
  StrategySignal,
  TradingState,
} from "./types.js";

export interface PositionView {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly lastPrice: number;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
}

export interface OrderView {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: OrderType;
  readonly limitPrice: number;
  readonly status: OrderStatus;
  readonly filledQty: number;
  readonly avgFillPrice: number;
  /** why the risk layer or the venue refused it */
  readonly rejectReason: string;
  readonly isOpen: boolean;
}

export interface FillEvent {
  readonly order: OrderView;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly time: number;
}

export interface OrderOptions {
  /** a limit price makes it a limit order */
  readonly limit?: number;
  readonly reason?: string;
}

export interface StrategyLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Everything a strategy can see and do. */
export interface StrategyContext<P = unknown, S = unknown> {
  readonly params: P;
  readonly state: S;
  readonly symbols: readonly string[];
  /** kernel time, epoch ms (the bar's time in backtests and replays) */
  now(): number;
  /** last close seen for the symbol (NaN before its first bar) */
  price(symbol: string): number;
  position(symbol: string): PositionView;
  readonly cash: number;
  readonly equity: number;
  buy(symbol: string, qty: number, options?: OrderOptions): OrderView;
  sell(symbol: string, qty: number, options?: OrderOptions): OrderView;
  order(request: OrderRequest): OrderView;
  cancel(order: OrderView | string): void;
  openOrders(symbol?: string): readonly OrderView[];
  /** records a signal; whether an order follows is the strategy's and the risk layer's business */
  signal(signal: StrategySignal): void;
  /** an indicator value at the current bar, drawn on the backtest report's price chart (ignored in other modes) */
  plot(symbol: string, name: string, value: number): void;
  tradingState(): TradingState;
  /** where this runs (mode, environment, venue, data): only for strategies that must know */
  runtime(): RuntimeInfo;
  readonly log: StrategyLog;
}

export interface StrategyHooks<P, S> {
  onStart?(ctx: StrategyContext<P, S>): void;
  /** `bar` is reused for the next bar: copy it to keep it */
  onBar?(ctx: StrategyContext<P, S>, bar: Bar): void;
  /** every `intervalSeconds` of kernel time */
  onInterval?(ctx: StrategyContext<P, S>): void;
  onFill?(ctx: StrategyContext<P, S>, fill: FillEvent): void;
  onStop?(ctx: StrategyContext<P, S>): void;
}

export interface StrategyDefinition<P, S> extends StrategyHooks<P, S> {
  readonly name: string;
  readonly description?: string;
  /** validated against the project's whole config; unknown keys are ignored (zod's default) */
  readonly params?: z.ZodType<P>;
  /** the symbols it trades (default: the config's `trading.symbols`) */
  readonly symbols?: readonly string[] | ((params: P) => readonly string[]);
  readonly intervalSeconds?: number | ((params: P) => number);
  /** a fresh state per run */
  readonly init?: (params: P) => S;
}

const BRAND = Symbol.for("tradeops.strategy");

export type Strategy<P = unknown, S = unknown> = StrategyDefinition<P, S> & { readonly [BRAND]: true };

/** Declares a strategy; the result is what a project's strategy module exports (default export). */
export function defineStrategy<P = Record<string, unknown>, S = undefined>(
  definition: StrategyDefinition<P, S>,
): Strategy<P, S> {
  if (!definition || typeof definition.name !== "string" || !/^[a-z0-9][a-z0-9._-]*$/i.test(definition.name)) {
    throw new TroError("TRO_ERR_STRATEGY_INVALID", "defineStrategy needs a name of letters, digits, `.`, `_` or `-`.");
  }
  return Object.freeze({ ...definition, [BRAND]: true as const });
}

/** True for what `defineStrategy` returned (works across copies of the library). */
export function isStrategy(value: unknown): value is Strategy {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Validates the project's config against the strategy's parameter schema.
 * @throws TroError TRO_ERR_STRATEGY_INVALID listing every problem with its key
 */
export function resolveParams<P, S>(strategy: Strategy<P, S>, config: unknown, where: string): P {
  if (!strategy.params) return (config ?? {}) as P;
  const result = strategy.params.safeParse(config ?? {});
  if (result.success) return Object.freeze(result.data) as P;
  const problems: Problem[] = result.error.issues.map((issue) => ({
    key: issue.path.join("."),
    message: issue.message,
  }));
  throw new TroError(
    "TRO_ERR_STRATEGY_INVALID",
    `The config of ${where} does not give strategy ${strategy.name} the parameters it needs.`,
    { problems, hint: "Fix the keys listed above in the project's config files." },
  );
}

/** The symbols a strategy trades, from its definition or the config's `trading.symbols`. */
export function strategySymbols<P, S>(strategy: Strategy<P, S>, params: P, config: unknown): readonly string[] {
  const declared = typeof strategy.symbols === "function" ? strategy.symbols(params) : strategy.symbols;
  const fromConfig = (config as { trading?: { symbols?: unknown } } | undefined)?.trading?.symbols;
  const symbols = declared ?? (Array.isArray(fromConfig) ? (fromConfig as string[]) : []);
  if (!symbols.length || !symbols.every((s) => typeof s === "string" && s.length > 0)) {
    throw new TroError("TRO_ERR_STRATEGY_INVALID", `Strategy ${strategy.name} names no symbols to trade.`, {
      hint: "Set `symbols` in defineStrategy, or `trading.symbols` in the project's config.",
    });
  }
  return [...new Set(symbols)];
}

export function strategyIntervalMs<P, S>(strategy: Strategy<P, S>, params: P): number {
  const seconds =
    typeof strategy.intervalSeconds === "function" ? strategy.intervalSeconds(params) : strategy.intervalSeconds;
  return seconds && seconds > 0 ? seconds * 1000 : 0;
}
