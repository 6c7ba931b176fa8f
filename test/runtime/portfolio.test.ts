import { describe, expect, it } from "vitest";
import { Portfolio } from "../../src/runtime/portfolio.js";

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
