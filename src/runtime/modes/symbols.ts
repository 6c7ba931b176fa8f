import { TroError } from "../../errors.js";
import type { BarSeries } from "../data/bars.js";
import { type Strategy, strategySymbols } from "../strategy.js";

/**
 * The data must hold every symbol the strategy trades.
 * @throws TroError TRO_ERR_DATA_SOURCE naming the missing symbols
 */
export function ensureSymbols<P, S>(strategy: Strategy<P, S>, params: P, series: BarSeries): void {
  const wanted = strategy.symbols ? strategySymbols(strategy, params, undefined) : series.symbols;
  const missing = wanted.filter((s) => !series.symbols.includes(s));
  if (missing.length) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `The bars hold no data for ${missing.join(", ")}.`, {
      hint: `Give a data source with bars for ${missing.join(", ")} (--data, or data.source in the config).`,
    });
  }
}
