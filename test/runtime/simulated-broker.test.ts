/** The simulated broker's fill rules, seen through a kernel: next bar's open, limits, fees, slippage, volume. */
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../src/runtime/clock.js";
import type { BarSeries } from "../../src/runtime/data/bars.js";
import { simulationSettings } from "../../src/runtime/execution/models.js";
import { SimulatedBroker } from "../../src/runtime/execution/simulated-broker.js";
import { Kernel } from "../../src/runtime/kernel.js";
import { MemorySink } from "../../src/runtime/records.js";
import { riskSettings } from "../../src/runtime/risk/settings.js";
import { defineStrategy, type StrategyContext } from "../../src/runtime/strategy.js";
import { minuteBars } from "./fixtures.js";

function run(
  series: BarSeries,
  act: (ctx: StrategyContext, i: number) => void,
  sim = simulationSettings(),
  cash = 100_000,
) {
  const sink = new MemorySink();
  let i = 0;
  const kernel = new Kernel({
    strategy: defineStrategy({ name: "t", onBar: (ctx) => act(ctx as StrategyContext, i++) }),
    params: {},
    symbols: series.symbols,
    clock: new SimulatedClock(series.time[0]),
    venue: new SimulatedBroker(sim),
    sink,
    risk: riskSettings(),
    initialCash: cash,
    runtime: { mode: "backtest", environment: "test", venue: "simulated", data: "t" },
    runId: "t",
  });
  kernel.start();
  kernel.runSeries(series, 0, series.length);
  kernel.stop();
  return { kernel, fills: sink.records.filter((r) => r.kind === "fill").map((r) => r.payload), sink };
}

describe("simulated fills", () => {
  it("a market order fills at the next bar's open, never on the bar it was placed", () => {
    const series = minuteBars([100, 110, 120]);
    const { fills, kernel } = run(series, (ctx, i) => i === 0 && ctx.buy("X", 10));
    expect(fills).toEqual([{ orderId: "t-t-1", side: "buy", qty: 10, price: 100, fee: 0 }]);
    expect(series.open[1]).toBe(100);
    expect(kernel.portfolio.cash).toBe(100_000 - 1000);
    expect(kernel.portfolio.equity).toBe(100_000 - 1000 + 10 * 120);
  });

  it("slippage moves market fills against the order; fees follow the model", () => {
    const series = minuteBars([100, 100, 100]);
    const sim = simulationSettings({ slippageBps: 10, fees: { perShare: 0.01, minimum: 1, bps: 1 } });
    const { fills } = run(
      series,
      (ctx, i) => (i === 0 ? ctx.buy("X", 50) : i === 1 ? ctx.sell("X", 50) : undefined),
      sim,
    );
    expect(fills[0]!.price).toBeCloseTo(100.1, 10);
    expect(fills[0]!.fee).toBeCloseTo(0.01 * 50 + 0.0001 * 50 * 100.1, 10); // above the $1 minimum
    expect(fills[1]!.price).toBeCloseTo(99.9, 10);
    expect(fills[1]!.fee).toBe(1); // 0.9995 is below the minimum
  });

  it("a buy limit fills at the open when it is through the limit, at the limit when the bar trades through it", () => {
    const series = minuteBars([100, 98, 97, 99]);
    series.low[2] = 95; // bar 2 opens at 98, trades down to 95
    const { fills } = run(series, (ctx, i) => {
      if (i === 0) ctx.buy("X", 1, { limit: 101 }); // bar 1 opens at 100 ≤ 101: fills at 100
      if (i === 1) ctx.buy("X", 1, { limit: 96 }); // bar 2 opens at 98 > 96, low 95: fills at 96
      if (i === 2) ctx.buy("X", 1, { limit: 50 }); // never
    });
    expect(fills.map((f) => f.price)).toEqual([100, 96]);
  });

  it("a volume cap fills part of an order per bar and the rest later", () => {
    const series = minuteBars([100, 100, 100, 100]);
    series.volume.fill(1000);
    const { fills, kernel } = run(
      series,
      (ctx, i) => i === 0 && ctx.buy("X", 250),
      simulationSettings({ volumeLimitPct: 0.1 }),
    );
    expect(fills.map((f) => f.qty)).toEqual([100, 100, 50]);
    expect(kernel.portfolio.positions[0]!.qty).toBe(250);
  });

  it("refuses a buy beyond the cash and a sell beyond the position, as a broker does", () => {
    const series = minuteBars([100, 100, 100]);
    const { sink } = run(
      series,
      (ctx, i) => {
        if (i === 0) ctx.buy("X", 20); // $2,000 with $1,000 cash
        if (i === 0) ctx.sell("X", 1);
      },
      simulationSettings(),
      1000,
    );
    const refused = sink.records.filter((r) => r.kind === "rejected").map((r) => r.payload.reason);
    expect(refused).toEqual(["insufficient buying power", "insufficient qty available: 1 asked, 0 held"]);
  });
});
