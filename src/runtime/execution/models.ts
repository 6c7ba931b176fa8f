/**
 * Fee and slippage models for simulated fills. Explicit and configurable, because optimistic paper fills are
 * the second most common complaint about trading frameworks (freqtrade #3685, Alpaca-API #5).
 */

export interface FeeModel {
  /** per share or unit */
  readonly perShare: number;
  /** basis points of notional */
  readonly bps: number;
  /** per order that fills */
  readonly fixed: number;
  /** smallest fee charged per fill */
  readonly minimum: number;
}

export interface SimulationSettings {
  readonly fees: FeeModel;
  /** market fills are moved against the order by this many basis points */
  readonly slippageBps: number;
  /** at most this fraction of a bar's volume fills per bar (0: no cap); the rest waits for later bars */
  readonly volumeLimitPct: number;
  /** allow selling what is not held */
  readonly allowShort: boolean;
}

export const NO_FEES: FeeModel = { perShare: 0, bps: 0, fixed: 0, minimum: 0 };

export const DEFAULT_SIMULATION: SimulationSettings = {
  fees: NO_FEES,
  slippageBps: 0,
  volumeLimitPct: 0,
  allowShort: false,
};

export function simulationSettings(
  overrides: Partial<Omit<SimulationSettings, "fees">> & { fees?: Partial<FeeModel> } = {},
): SimulationSettings {
  // Object.assign, not a spread: V8 11 gives `{ ...a, ...b }` a map of its own on every call once warm, and a
  // sweep builds these settings per parameter set (each new map deoptimises the fee and fill code that reads them)
  const fees = Object.freeze(Object.assign({}, NO_FEES, overrides.fees));
  return Object.freeze(Object.assign({}, DEFAULT_SIMULATION, overrides, { fees }));
}

export function feeFor(model: FeeModel, qty: number, price: number): number {
  const fee = model.fixed + model.perShare * qty + (model.bps / 10_000) * qty * price;
  return Math.max(fee, model.minimum);
}
