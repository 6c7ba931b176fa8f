/**
 * Risk limits, read from the project's config (`risk.*`, `trading.*`) with safe defaults for what a project
 * does not set. The same settings drive every mode.
 */

export interface RiskSettings {
  /** largest single order, in USD (Infinity: no limit) */
  readonly maxTradeUsd: number;
  /** largest position per symbol, in USD, after the order fills */
  readonly maxPositionUsd: number;
  /** orders accepted per rolling minute of clock time */
  readonly maxOrdersPerMinute: number;
  /** never send an order */
  readonly readOnly: boolean;
  /** false: signals only, every order becomes a recorded decision */
  readonly autoExecute: boolean;
  /** halt when equity falls this fraction below its high-water mark (0: off) */
  readonly emergencyStopLossPct: number;
  /** when the stop-loss halts, also close every position */
  readonly flattenOnStopLoss: boolean;
  /** halt after this many errors inside the window */
  readonly circuitBreakerErrors: number;
  readonly circuitBreakerWindowMs: number;
  /** refuse orders when the last bar is older than this (Infinity: off) */
  readonly heartbeatTimeoutMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER_WINDOW_MS = 5 * 60_000;

export const DEFAULT_RISK: RiskSettings = {
  maxTradeUsd: Number.POSITIVE_INFINITY,
  maxPositionUsd: Number.POSITIVE_INFINITY,
  maxOrdersPerMinute: 100,
  readOnly: false,
  autoExecute: true,
  emergencyStopLossPct: 0,
  flattenOnStopLoss: false,
  circuitBreakerErrors: 5,
  circuitBreakerWindowMs: DEFAULT_CIRCUIT_BREAKER_WINDOW_MS,
  heartbeatTimeoutMs: Number.POSITIVE_INFINITY,
};

export function riskSettings(overrides: Partial<RiskSettings> = {}): RiskSettings {
  // not a spread: V8 11 gives `{ ...a, ...b }` a new map per call once warm (see simulationSettings)
  return Object.freeze(Object.assign({}, DEFAULT_RISK, overrides));
}
