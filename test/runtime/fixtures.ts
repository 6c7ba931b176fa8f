/** Strategies and bars shared by the runtime tests. */

import { allocateSeries, type BarSeries, sliceSeries } from "../../src/runtime/data/bars.js";
import { readCsvBars } from "../../src/runtime/data/csv.js";
import { samplePath } from "../../src/runtime/data/sample.js";
import { Sma } from "../../src/runtime/indicators.js";
import { defineStrategy } from "../../src/runtime/strategy.js";

/** The real S&P 500 daily bars (vega-datasets), as SPY, optionally the first `n`. */
export function sp500(n?: number): BarSeries {
  const all = readCsvBars(samplePath("sp500"), "SPY");
  return n === undefined ? all : sliceSeries(all, undefined, all.time[n]);
}

/** Minute bars with given closes (open = previous close), for scenarios a test spells out. */
export function minuteBars(closes: readonly number[], symbol = "X", start = Date.UTC(2024, 0, 2, 14, 30)): BarSeries {
  const s = allocateSeries([symbol], closes.length);
  closes.forEach((c, i) => {
    const o = i ? closes[i - 1]! : c;
    s.time[i] = start + i * 60_000;
    s.open[i] = o;
    s.close[i] = c;
    s.high[i] = Math.max(o, c);
    s.low[i] = Math.min(o, c);
    s.volume[i] = 1_000_000;
  });
  return s;
}

/**
 * SMA crossover sized from equity: buys 10% of equity when the fast average crosses above the slow one,
 * sells everything when it crosses below, and records a signal at each cross. Orders depend on cash and
 * positions, so any accounting difference between venues would change them.
 */
export const crossover = defineStrategy<Record<string, never>, { fast: Sma; slow: Sma; prev: number }>({
  name: "crossover",
  symbols: ["SPY"],
  init: () => ({ fast: new Sma(10), slow: new Sma(30), prev: 0 }),
  onBar(ctx, bar) {
    const s = ctx.state;
    const d = s.fast.update(bar.close) - s.slow.update(bar.close);
    if (!s.slow.ready) return;
    if (d > 0 && s.prev <= 0) {
      ctx.signal({ symbol: bar.symbol, side: "buy", strength: 1, reason: "fast above slow" });
      ctx.buy(bar.symbol, Math.floor((ctx.equity * 0.1 * 1000) / bar.close) / 1000, { reason: "cross up" });
    } else if (d < 0 && s.prev > 0) {
      ctx.signal({ symbol: bar.symbol, side: "sell", strength: 1, reason: "fast below slow" });
      const held = ctx.position(bar.symbol).qty;
      if (held > 0) ctx.sell(bar.symbol, held, { reason: "cross down" });
    }
    s.prev = d;
  },
});
