/**
 * Cross-check: simple strategies run through tradeops and through a reference backtester written here from
 * first principles (no runtime code: its own moving averages, fills at the next open, fees, slippage, cash,
 * flat-to-flat trades, dust and end-of-data closes), on the same real S&P 500 bars. Every trade (dates,
 * prices, quantities, P&L), the open position and the final equity must agree to the cent, and every run
 * must reconcile. No established backtester installs here (backtesting.py, backtrader and vectorbt are not
 * on the local pip index; npm has none with a next-open fill model), so the reference is this file.
 */
import { describe, expect, it } from "vitest";
import type { BarSeries } from "../../src/runtime/data/bars.js";
import { simulationSettings } from "../../src/runtime/execution/models.js";
import { Sma } from "../../src/runtime/indicators.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { buildReport } from "../../src/runtime/report/build.js";
import { reconcile } from "../../src/runtime/report/reconcile.js";
import { defineStrategy } from "../../src/runtime/strategy.js";
import { sp500 } from "./fixtures.js";

/** What a strategy sees on a bar, from whichever engine runs it. */
interface View {
  readonly fast: number;
  readonly slow: number;
  readonly prevDiff: number;
  readonly held: number;
  readonly cash: number;
  readonly close: number;
}
type Decision = { side: "buy" | "sell"; qty: number } | null;

/** The rules: the same decision from the same view; what differs is how each engine answers the view. */
const RULES: Record<string, (v: View) => Decision> = {
  "fixed-qty crossover": (v) => {
    const d = v.fast - v.slow;
    if (d > 0 && v.prevDiff <= 0 && v.held === 0) return { side: "buy", qty: 10 };
    if (d < 0 && v.prevDiff >= 0 && v.held > 0) return { side: "sell", qty: v.held };
    return null;
  },
  "all-in/all-out": (v) => {
    const d = v.fast - v.slow;
    if (d > 0 && v.held === 0) return { side: "buy", qty: Math.floor((v.cash * 0.95) / v.close) };
    if (d < 0 && v.held > 0) return { side: "sell", qty: v.held };
    return null;
  },
  "scaling in and out": (v) => {
    if (v.fast > v.slow && v.held < 12) return { side: "buy", qty: 2 };
    if (v.fast < v.slow && v.held > 0) return { side: "sell", qty: Math.min(3, v.held) };
    return null;
  },
  "fractional scale-out (dust)": (v) => {
    if (v.fast > v.slow && v.held === 0) return { side: "buy", qty: 7.5 };
    if (v.fast < v.slow && v.held > 0) return { side: "sell", qty: Math.floor(v.held * 0.6 * 1000) / 1000 };
    return null;
  },
};

interface Scenario {
  readonly rule: keyof typeof RULES;
  readonly bars: number;
  readonly feeBps?: number;
  readonly feeMin?: number;
  readonly perShare?: number;
  readonly slippageBps?: number;
  readonly minNotional?: number;
  readonly closeAtEnd?: boolean;
}

const SCENARIOS: Record<string, Scenario> = {
  "fixed-qty SMA crossover": { rule: "fixed-qty crossover", bars: 5105 },
  "all-in/all-out with fees": { rule: "all-in/all-out", bars: 5105, feeBps: 10, feeMin: 1 },
  "scaling in and out with slippage": { rule: "scaling in and out", bars: 5105, slippageBps: 5 },
  "scaling in and out, fees and slippage, open at the end": {
    rule: "scaling in and out",
    bars: 1800,
    feeBps: 5,
    perShare: 0.01,
    feeMin: 0.5,
    slippageBps: 3,
  },
  "fractional scale-out closed out as dust": { rule: "fractional scale-out (dust)", bars: 5105, minNotional: 2000 },
  "all-in/all-out closed at the last bar": {
    rule: "all-in/all-out",
    bars: 1800,
    feeBps: 10,
    slippageBps: 2,
    closeAtEnd: true,
  },
};

const FAST = 10;
const SLOW = 30;

interface RefTrade {
  entryTime: number;
  exitTime: number;
  qty: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  exitReason: string;
}
interface RefResult {
  trades: RefTrade[];
  open: { qty: number; entryTime: number; entryPrice: number } | null;
  finalEquity: number;
  fills: number;
}

/** The reference: a plain loop over the bars, written from the definitions in docs/runtime.md. */
function reference(series: BarSeries, sc: Scenario, initialCash: number): RefResult {
  const { time, open, close, length } = series;
  const rule = RULES[sc.rule]!;
  const fee = (qty: number, price: number) =>
    Math.max((sc.perShare ?? 0) * qty + ((sc.feeBps ?? 0) / 10_000) * qty * price, sc.feeMin ?? 0);
  const slip = (sc.slippageBps ?? 0) / 10_000;
  let cash = initialCash;
  let held = 0;
  let pending: Decision = null;
  let prevDiff = 0;
  let fills = 0;
  const trades: RefTrade[] = [];
  // the open round trip: everything bought and sold since flat
  let trip: { entryTime: number; bought: number; boughtValue: number; sold: number; soldValue: number; fees: number } =
    { entryTime: 0, bought: 0, boughtValue: 0, sold: 0, soldValue: 0, fees: 0 };
  const closeTrip = (t: number, reason: string) => {
    trades.push({
      entryTime: trip.entryTime,
      exitTime: t,
      qty: trip.bought,
      entryPrice: trip.boughtValue / trip.bought,
      exitPrice: trip.soldValue / trip.sold,
      pnl: trip.soldValue - trip.boughtValue - trip.fees,
      exitReason: reason,
    });
  };
  const fill = (side: "buy" | "sell", qty: number, price: number, f: number, t: number, reason: string) => {
    fills++;
    if (held === 0) trip = { entryTime: t, bought: 0, boughtValue: 0, sold: 0, soldValue: 0, fees: 0 };
    trip.fees += f;
    cash -= f;
    if (side === "buy") {
      cash -= qty * price;
      held = Math.round((held + qty) * 1e9) / 1e9;
      trip.bought += qty;
      trip.boughtValue += qty * price;
      return;
    }
    cash += qty * price;
    held = Math.round((held - qty) * 1e9) / 1e9;
    trip.sold += qty;
    trip.soldValue += qty * price;
    if (held > 0 && sc.minNotional !== undefined && held * price < sc.minNotional) {
      cash += held * price; // the rest is closed out at the same price, without a fee
      trip.sold += held;
      trip.soldValue += held * price;
      held = 0;
      closeTrip(t, "dust");
    } else if (held === 0) closeTrip(t, reason);
  };
  const window = (end: number, n: number) => {
    let sum = 0;
    for (let k = end - n + 1; k <= end; k++) sum += close[k]!;
    return sum / n;
  };
  for (let i = 0; i < length; i++) {
    if (pending) {
      const price = pending.side === "buy" ? open[i]! * (1 + slip) : open[i]! * (1 - slip);
      fill(pending.side, pending.qty, price, fee(pending.qty, price), time[i]!, "rule");
      pending = null;
    }
    if (i < SLOW - 1) continue;
    const fast = window(i, FAST);
    const slow = window(i, SLOW);
    const decision = rule({ fast, slow, prevDiff, held, cash, close: close[i]! });
    if (decision && decision.qty > 0) pending = decision;
    prevDiff = fast - slow;
  }
  const last = close[length - 1]!;
  if (sc.closeAtEnd && held > 0) fill("sell", held, last, fee(held, last), time[length - 1]!, "end of data");
  return {
    trades,
    open: held > 0 ? { qty: held, entryTime: trip.entryTime, entryPrice: trip.boughtValue / trip.bought } : null,
    finalEquity: cash + held * last,
    fills,
  };
}

/** The same rule as a tradeops strategy. */
function strategyFor(sc: Scenario) {
  const rule = RULES[sc.rule]!;
  return defineStrategy<Record<string, never>, { fast: Sma; slow: Sma; prevDiff: number }>({
    name: "cross-check",
    symbols: ["SPY"],
    init: () => ({ fast: new Sma(FAST), slow: new Sma(SLOW), prevDiff: 0 }),
    onBar(ctx, bar) {
      const s = ctx.state;
      const fast = s.fast.update(bar.close);
      const slow = s.slow.update(bar.close);
      if (!s.slow.ready) return;
      const held = ctx.position(bar.symbol).qty;
      const decision = rule({ fast, slow, prevDiff: s.prevDiff, held, cash: ctx.cash, close: bar.close });
      if (decision && decision.qty > 0)
        ctx.order({ symbol: bar.symbol, side: decision.side, qty: decision.qty, reason: "rule" });
      s.prevDiff = fast - slow;
    },
  });
}

const cents = (n: number) => Math.round(n * 100);

describe("tradeops against a first-principles reference, on the real S&P 500 bars", () => {
  const all = sp500();
  it.each(Object.entries(SCENARIOS))("%s: every trade, the open position and the final equity agree", (_, sc) => {
    const series = sc.bars >= all.length ? all : sp500(sc.bars);
    const initialCash = 100_000;
    const ref = reference(series, sc, initialCash);
    const run = runBacktest({
      strategy: strategyFor(sc),
      params: {},
      series,
      initialCash,
      simulation: simulationSettings({
        fees: { bps: sc.feeBps ?? 0, perShare: sc.perShare ?? 0, minimum: sc.feeMin ?? 0 },
        slippageBps: sc.slippageBps ?? 0,
      }),
      ...(sc.minNotional ? { dust: [{ lotSize: 0, minNotional: sc.minNotional }] } : {}),
      ...(sc.closeAtEnd ? { closeAtEnd: true } : {}),
    });
    const report = buildReport(run, { environment: "test", data: "sample:sp500" }); // throws if it does not reconcile
    expect(Math.abs(report.reconciliation.difference)).toBeLessThan(0.005);

    const ours = run.kernel.portfolio;
    expect(ref.trades.length).toBeGreaterThan(3); // a scenario that trades, or it proves nothing
    expect(ours.trades.length).toBe(ref.trades.length);
    ours.trades.forEach((t, k) => {
      const r = ref.trades[k]!;
      const where = `trade ${k + 1} of ${ref.trades.length}`;
      expect([t.entryTime, t.exitTime, t.exitReason], where).toEqual([r.entryTime, r.exitTime, r.exitReason]);
      expect(t.qty, where).toBeCloseTo(r.qty, 9);
      expect(cents(t.entryPrice), where).toBe(cents(r.entryPrice));
      expect(cents(t.exitPrice), where).toBe(cents(r.exitPrice));
      expect(cents(t.pnl), where).toBe(cents(r.pnl));
    });
    const open = ours.openTrades();
    if (ref.open === null) expect(open).toEqual([]);
    else {
      expect(open).toHaveLength(1);
      expect(open[0]!.qty).toBeCloseTo(ref.open.qty, 9);
      expect(open[0]!.entryTime).toBe(ref.open.entryTime);
      expect(cents(open[0]!.entryPrice)).toBe(cents(ref.open.entryPrice));
    }
    expect(ours.fills).toBe(ref.fills);
    expect(cents(report.summary.finalEquity)).toBe(cents(ref.finalEquity));
  });

  it("the suite covers an open position at the end, fees, slippage, dust and a close at the last bar", () => {
    const outcomes = Object.values(SCENARIOS).map((sc) => ({
      sc,
      ref: reference(sc.bars >= all.length ? all : sp500(sc.bars), sc, 100_000),
    }));
    expect(outcomes.some((o) => o.ref.open !== null && (o.sc.feeBps ?? 0) > 0)).toBe(true);
    expect(outcomes.some((o) => o.ref.trades.some((t) => t.exitReason === "dust"))).toBe(true);
    expect(outcomes.some((o) => o.ref.trades.some((t) => t.exitReason === "end of data"))).toBe(true);
    expect(outcomes.some((o) => o.ref.fills > 2 * (o.ref.trades.length + 1))).toBe(true); // scaling in and out
  });
});

describe("the reconciliation identity", () => {
  const trade = { symbol: "X", direction: "long" as const, entryTime: 0, exitTime: 1, qty: 1, entryPrice: 100 };
  it("holds to the cent, and a broken identity is an error naming both sides", () => {
    const closed = [{ ...trade, exitPrice: 110, fees: 1, pnl: 9, returnPct: 0.09, exitReason: "rule" }];
    expect(reconcile(closed, [], 1000, 1009).difference).toBeCloseTo(0, 9);
    expect(() => reconcile(closed, [], 1000, 1009.01)).toThrow(
      expect.objectContaining({
        code: "TRO_ERR_BACKTEST_UNRECONCILED",
        message: expect.stringContaining(
          "realised $10.00 + open $0.00 − fees $1.00 = $9.00, but equity changed by $9.01",
        ),
      }),
    );
  });
});
