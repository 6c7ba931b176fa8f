/** One parameter set of a sweep: the runtime settings it shares with the other sets, and the ones it owns. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Sma } from "../../src/runtime/indicators.js";
import { runtimeSettings } from "../../src/runtime/settings.js";
import { defineStrategy, type Strategy } from "../../src/runtime/strategy.js";
import { evaluateSet, SETTINGS_ROOTS, type SweepContext } from "../../src/runtime/sweep/evaluate.js";
import { sp500 } from "./fixtures.js";

type Params = { strategy: { fast: number; slow: number } };

/** SMA crossover with its windows from the config; buys 20% of equity on a cross up, sells all on a cross down. */
const cross = defineStrategy<Params, { fast: Sma; slow: Sma; prev: number }>({
  name: "cross",
  symbols: ["SPY"],
  params: z.object({ strategy: z.object({ fast: z.int().min(2), slow: z.int().min(3) }) }),
  init: (p) => ({ fast: new Sma(p.strategy.fast), slow: new Sma(p.strategy.slow), prev: 0 }),
  onBar(ctx, bar) {
    const s = ctx.state;
    const d = s.fast.update(bar.close) - s.slow.update(bar.close);
    if (!s.slow.ready) return;
    if (d > 0 && s.prev <= 0) ctx.buy(bar.symbol, Math.floor((ctx.equity * 0.2 * 1000) / bar.close) / 1000);
    else if (d < 0 && s.prev > 0 && ctx.position(bar.symbol).qty > 0) {
      ctx.sell(bar.symbol, ctx.position(bar.symbol).qty);
    }
    s.prev = d;
  },
});

const config = {
  trading: { symbols: ["SPY"] },
  strategy: { fast: 10, slow: 30 },
  backtest: { initial_cash: 100_000, fee_bps: 5 },
};

const context = (): SweepContext => ({
  strategy: cross as unknown as Strategy,
  config,
  where: "cross in test",
  inSample: sp500(1500),
  autoExecute: true,
});

describe("sweep set", () => {
  it("reads the runtime settings from the config's settings roots only", () => {
    const read = new Set<string>();
    const full = {
      ...config,
      trading: { symbols: ["SPY"], auto_execute: true, read_only: false },
      risk: { max_trade_usd: 1000, emergency_stop_loss_pct: 0.1 },
      data: { source: "sample:sp500", timeframe: "1Day" },
      instruments: { SPY: { lot_size: 0.001, min_notional: 50 } },
      other: { key: 1 },
    };
    const watched = new Proxy(full, {
      get(target, key, receiver) {
        if (typeof key === "string") read.add(key);
        return Reflect.get(target, key, receiver);
      },
    });
    runtimeSettings(watched, "the test config");
    expect(read.size).toBeGreaterThan(0);
    expect([...read].filter((k) => !SETTINGS_ROOTS.includes(k))).toEqual([]);
  });

  it("runs a strategy parameter on the shared settings and a settings key on its own, whatever ran before", () => {
    const sets: Record<string, number>[] = [
      { "strategy.fast": 5, "strategy.slow": 20 },
      { "backtest.initial_cash": 50_000 },
      { "backtest.fee_bps": 50, "strategy.fast": 8 },
      { "strategy.fast": 12 },
    ];
    const together = context();
    const inTurn = sets.map((params, i) => evaluateSet(together, i, params));
    const alone = sets.map((params, i) => evaluateSet(context(), i, params));
    expect(inTurn).toEqual(alone);
    for (const r of inTurn) expect(r.skipped).toBeUndefined();
    const [, halfCash, fees] = inTurn.map((r) => r.metrics!);
    const base = evaluateSet(context(), 9, {}).metrics!;
    expect(base.trades).toBeGreaterThan(0);
    // the cash and the fees of the sets that set them, not the sweep's: both move the final equity
    expect(halfCash!.finalEquity).toBeLessThan(base.finalEquity * 0.6);
    expect(inTurn[3]!.metrics!.finalEquity).toBeGreaterThan(base.finalEquity * 0.6);
    const fewerFees = evaluateSet(together, 10, { "strategy.fast": 8 }).metrics!;
    expect(fees!.finalEquity).not.toBe(fewerFees.finalEquity);
  });
});
