import { describe, expect, it } from "vitest";
import { mergeSeries } from "../../src/runtime/data/bars.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { Portfolio } from "../../src/runtime/portfolio.js";
import { defineStrategy } from "../../src/runtime/strategy.js";
import { minuteBars } from "./fixtures.js";

describe("Portfolio", () => {
  it("tracks cash, average price, realized and unrealized PnL, and equity incrementally", () => {
    const p = new Portfolio(["X"], 10_000);
    p.mark(0, 100);
    p.applyFill(0, "buy", 10, 100, 1, 1);
    p.applyFill(0, "buy", 10, 110, 1, 2);
    const x = p.positions[0]!;
    expect(x.qty).toBe(20);
    expect(x.avgPrice).toBe(105);
    p.mark(0, 120);
    expect(x.unrealizedPnl).toBe(300);
    expect(p.equity).toBe(10_000 - 1000 - 1100 - 2 + 20 * 120);
    p.applyFill(0, "sell", 5, 120, 1, 3);
    expect(x.realizedPnl).toBe(75);
    expect(x.qty).toBe(15);
    expect(p.equity).toBeCloseTo(p.cash + 15 * 120, 9);
    expect(p.feesPaid).toBe(3);
  });

  it("records a round trip from flat to flat with its net result", () => {
    const p = new Portfolio(["X"], 10_000);
    p.applyFill(0, "buy", 10, 100, 1, 1000);
    p.applyFill(0, "sell", 4, 110, 1, 2000);
    p.applyFill(0, "sell", 6, 90, 1, 3000, "take profit");
    expect(p.trades).toEqual([
      {
        symbol: "X",
        direction: "long",
        entryTime: 1000,
        exitTime: 3000,
        qty: 10,
        entryPrice: 100,
        exitPrice: 98,
        fees: 3,
        pnl: 40 - 60 - 3,
        returnPct: -23 / 1000,
        exitReason: "take profit",
      },
    ]);
  });

  it("a fill through zero closes the trip and opens the other way", () => {
    const p = new Portfolio(["X"], 10_000);
    p.applyFill(0, "buy", 5, 100, 0, 1);
    p.applyFill(0, "sell", 8, 110, 0, 2);
    expect(p.trades).toHaveLength(1);
    expect(p.trades[0]!.pnl).toBe(50);
    expect(p.positions[0]!.qty).toBe(-3);
    expect(p.positions[0]!.avgPrice).toBe(110);
    p.applyFill(0, "buy", 3, 100, 0, 3);
    expect(p.trades[1]).toMatchObject({ direction: "short", qty: 3, pnl: 30 });
  });

  it("fractional quantities leave no dust", () => {
    const p = new Portfolio(["X"], 10_000);
    p.applyFill(0, "buy", 0.1, 100, 0, 1);
    p.applyFill(0, "buy", 0.2, 100, 0, 2);
    p.applyFill(0, "sell", 0.3, 100, 0, 3);
    expect(p.positions[0]!.qty).toBe(0);
    expect(p.trades).toHaveLength(1);
  });

  it("a rest below the lot size or the minimum notional counts as flat: closed out at the fill price", () => {
    const p = new Portfolio(["X", "Y"], 10_000, [{ lotSize: 0.01, minNotional: 50 }, undefined]);
    p.applyFill(0, "buy", 10, 100, 0, 1);
    p.applyFill(0, "sell", 9.7, 110, 0, 2, "signal"); // 0.3 left: $33 < $50
    expect(p.positions[0]!.qty).toBe(0);
    expect(p.dustCloses).toBe(1);
    expect(p.trades[0]).toMatchObject({ qty: 10, exitPrice: 110, pnl: 100, exitReason: "dust" });
    expect(p.cash).toBeCloseTo(10_100, 9);
    p.applyFill(1, "buy", 1, 100, 0, 3);
    p.applyFill(1, "sell", 0.999, 100, 0, 4); // no threshold for Y: the rest stays held
    expect(p.positions[1]!.qty).toBeCloseTo(0.001, 9);
    expect(p.openTrades()).toMatchObject([{ symbol: "Y", qty: 0.001, realized: 0 }]);
  });

  it("open trades are marked to the last price, with what they realised on the way", () => {
    const p = new Portfolio(["X"], 10_000);
    p.applyFill(0, "buy", 10, 100, 2, 1);
    p.applyFill(0, "sell", 4, 120, 1, 2);
    p.mark(0, 130);
    const [open] = p.openTrades();
    expect(open).toMatchObject({ qty: 6, realized: 80, unrealized: 180, fees: 3, pnl: 257, lastPrice: 130 });
    expect(p.equity - 10_000).toBeCloseTo(open!.pnl, 9);
  });
});

describe("a backtest over several symbols", () => {
  it("marks each position with its own symbol's closes, bar by bar, into the equity curve", () => {
    const a = minuteBars([100, 101, 103, 102, 104, 107], "A");
    const b = minuteBars([50, 49, 47, 48, 45, 44], "B", Date.UTC(2024, 0, 2, 14, 30, 30));
    const series = mergeSeries([a, b]);
    const strategy = defineStrategy({
      name: "both",
      symbols: ["A", "B"],
      onBar(ctx, bar) {
        if (ctx.position(bar.symbol).qty === 0 && ctx.openOrders(bar.symbol).length === 0) ctx.buy(bar.symbol, 10);
      },
    });
    const { kernel } = runBacktest({ strategy, params: {}, series, initialCash: 10_000 });
    const { portfolio } = kernel;
    expect(portfolio.positions.map((p) => [p.symbol, p.qty, p.lastPrice])).toEqual([
      ["A", 10, 107],
      ["B", 10, 44],
    ]);
    // every point: cash as of that bar plus each held position at its symbol's latest close (fills at the next
    // bar of the same symbol, at its open: the close before)
    const last: Record<string, number> = {};
    const held: Record<string, number> = { A: 0, B: 0 };
    let cash = 10_000;
    const fills = [
      { symbol: "A", at: 2, price: 100 },
      { symbol: "B", at: 3, price: 50 },
    ];
    for (let i = 0; i < series.length; i++) {
      const symbol = series.symbols[series.symbolIndex[i]!]!;
      for (const f of fills) {
        if (f.at === i) {
          cash -= 10 * f.price;
          held[f.symbol] = 10;
        }
      }
      last[symbol] = series.close[i]!;
      const value = held.A! * (last.A ?? 0) + held.B! * (last.B ?? 0);
      expect(kernel.equity.values[i]).toBeCloseTo(cash + value, 9);
    }
  });
});
