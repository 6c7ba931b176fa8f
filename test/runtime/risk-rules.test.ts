/**
 * Every risk rule trips in backtest mode and in paper mode (an accelerated replay against the simulated
 * broker) with the same outcome: the same refusals, with the same reasons, at the same bars, and every one of
 * them a recorded decision.
 */
import { describe, expect, it } from "vitest";
import { Portfolio } from "../../src/runtime/portfolio.js";
import { RiskEngine } from "../../src/runtime/risk/engine.js";
import { riskSettings } from "../../src/runtime/risk/settings.js";
import { defineStrategy, type StrategyContext } from "../../src/runtime/strategy.js";
import { TradingStateSwitch } from "../../src/runtime/trading-state.js";
import type { Bar } from "../../src/runtime/types.js";
import { type BothOptions, refusals, runBoth, view } from "./both-modes.js";
import { minuteBars } from "./fixtures.js";

/** A strategy that runs `act` on every bar. */
const every = (act: (ctx: StrategyContext<unknown, { n: number }>, bar: Bar) => void, interval?: number) =>
  defineStrategy<unknown, { n: number }>({
    name: "rules",
    init: () => ({ n: 0 }),
    intervalSeconds: interval,
    onBar(ctx, bar) {
      ctx.state.n++;
      act(ctx, bar);
    },
  });

const flat = (n: number, price = 100) => minuteBars(Array.from({ length: n }, () => price));

async function same<P, S>(o: BothOptions<P, S>) {
  const both = await runBoth(o);
  expect(view(both.paper.records)).toEqual(view(both.backtest.records));
  return both.backtest.records;
}

describe("each risk rule trips the same way in backtest and paper", () => {
  it("max trade size in USD", async () => {
    const strategy = every((ctx, bar) => ctx.buy(bar.symbol, ctx.state.n % 2 ? 60 : 40));
    const records = await same({ strategy, series: flat(6), risk: { maxTradeUsd: 5000 } });
    const refused = refusals(records, "max_trade_usd");
    expect(refused).toHaveLength(3);
    expect(refused[0]!.payload.reason).toBe("order value $6,000.00 exceeds max trade $5,000.00");
    expect(records.filter((r) => r.kind === "fill")).toHaveLength(2);
  });

  it("max position in USD (orders that shrink a position still pass)", async () => {
    const strategy = every((ctx, bar) => (ctx.state.n < 5 ? ctx.buy(bar.symbol, 20) : ctx.sell(bar.symbol, 10)));
    const records = await same({ strategy, series: flat(7), risk: { maxPositionUsd: 5000 } });
    const refused = refusals(records, "max_position_usd");
    expect(refused.length).toBeGreaterThan(0);
    expect(String(refused[0]!.payload.reason)).toMatch(
      /^position would be \$6,000\.00, above max position \$5,000\.00$/,
    );
    expect(refused).toHaveLength(2);
    expect(records.filter((r) => r.kind === "order" && r.payload.side === "sell")).toHaveLength(3);
  });

  it("order rate limit per rolling minute", async () => {
    const strategy = every((ctx, bar) => {
      for (let i = 0; i < 4; i++) ctx.buy(bar.symbol, 1);
    });
    const records = await same({ strategy, series: flat(3), risk: { maxOrdersPerMinute: 3 } });
    const refused = refusals(records, "order_rate");
    expect(refused).toHaveLength(3); // one per bar: the minute window slides with the bars
    expect(refused[0]!.payload.reason).toBe("order rate limit: 3 orders in the last minute");
  });

  it("read-only: no order is ever sent, every one is a recorded decision", async () => {
    const strategy = every((ctx, bar) => ctx.buy(bar.symbol, 1));
    const records = await same({ strategy, series: flat(4), risk: { readOnly: true } });
    expect(refusals(records, "read_only")).toHaveLength(4);
    expect(records.filter((r) => r.kind === "order")).toEqual([]);
  });

  it("auto-execute off: signals are recorded, orders refused", async () => {
    const strategy = every((ctx, bar) => {
      ctx.signal({ symbol: bar.symbol, side: "buy", strength: 0.8, reason: "test" });
      ctx.buy(bar.symbol, 1);
    });
    const records = await same({ strategy, series: flat(3), risk: { autoExecute: false } });
    expect(records.filter((r) => r.kind === "signal")).toHaveLength(3);
    expect(refusals(records, "auto_execute_off").map((r) => r.payload.reason)).toEqual(
      Array(3).fill("auto-execute is off: signals only"),
    );
  });

  it("emergency stop-loss halts at the drawdown from the high-water mark, and can flatten", async () => {
    // buy 500 shares at 100, the price rises to 110 (a new high), then falls to 90
    const series = minuteBars([100, 100, 105, 110, 104, 98, 90, 90, 90]);
    const strategy = every((ctx, bar) => {
      if (ctx.state.n === 1) ctx.buy(bar.symbol, 500);
      if (ctx.state.n > 6) ctx.buy(bar.symbol, 1);
    });
    const records = await same({ strategy, series, risk: { emergencyStopLossPct: 0.05, flattenOnStopLoss: true } });
    const halt = records.find((r) => r.kind === "state" && r.payload.to === "halted")!;
    expect(halt.payload.source).toBe("risk:emergency_stop_loss");
    expect(String(halt.payload.reason)).toMatch(/^emergency stop-loss: drawdown 5\.\d% reached the 5\.0% limit$/);
    const flatten = records.filter((r) => r.kind === "order" && r.payload.reason === "emergency stop-loss");
    expect(flatten).toHaveLength(1);
    expect(flatten[0]!.payload).toMatchObject({ side: "sell", qty: 500 });
    expect(refusals(records, "halted").length).toBeGreaterThan(0);
  });

  it("circuit breaker: repeated errors halt trading", async () => {
    const strategy = every((ctx, bar) => {
      if (ctx.state.n <= 3) throw new Error(`boom ${ctx.state.n}`);
      ctx.sell(bar.symbol, 5); // nothing held: the broker refuses, which is an error too
    });
    const records = await same({ strategy, series: flat(8), risk: { circuitBreakerErrors: 4 } });
    expect(records.filter((r) => r.kind === "error")).toHaveLength(4);
    expect(records.find((r) => r.kind === "error")!.payload.message).toBe("strategy onBar threw: boom 1");
    const halt = records.find((r) => r.kind === "state" && r.payload.to === "halted")!;
    expect(halt.payload).toMatchObject({
      source: "risk:circuit_breaker",
      reason: "circuit breaker: 4 errors within 300s",
    });
    expect(refusals(records, "halted")).toHaveLength(4);
  });

  it("data staleness: an order on data older than the heartbeat timeout is refused", async () => {
    // bars every minute, then a 20-minute gap; the interval timer fires in the gap
    const base = minuteBars(Array.from({ length: 12 }, () => 100));
    for (let i = 6; i < 12; i++) base.time[i] = base.time[i]! + 20 * 60_000;
    const strategy = defineStrategy({
      name: "stale",
      intervalSeconds: 60,
      onInterval(ctx) {
        ctx.buy("X", 1, { reason: "on the timer" });
      },
    });
    const records = await same({ strategy, series: base, risk: { heartbeatTimeoutMs: 120_000 } });
    const stale = refusals(records, "data_stale");
    expect(stale).toHaveLength(1);
    expect(stale[0]!.payload.reason).toBe("data is stale: the last bar arrived 20m 0s ago (limit 2m 0s)");
    expect(records.filter((r) => r.kind === "order").length).toBeGreaterThan(4);
  });

  it("kill switch: halt cancels open orders and refuses new ones until resumed", async () => {
    const strategy = every((ctx, bar) => ctx.buy(bar.symbol, 1, { limit: 50 }));
    const records = await same({
      strategy,
      series: flat(8),
      actions: [
        { at: 3, run: (k) => k.halt("kill switch: maintenance", "kill-switch:cli") },
        { at: 6, run: (k) => k.resume("kill switch lifted", "kill-switch:cli") },
      ],
    });
    expect(records.filter((r) => r.kind === "canceled")).toHaveLength(3);
    expect(refusals(records, "halted").map((r) => r.payload.reason)).toEqual(
      Array(3).fill("trading is halted (kill switch: maintenance)"),
    );
    expect(records.filter((r) => r.kind === "order")).toHaveLength(5);
  });

  it("reducing: only orders that shrink a position pass", async () => {
    const strategy = every((ctx, bar) => {
      ctx.buy(bar.symbol, 2);
      if (ctx.position(bar.symbol).qty > 0) ctx.sell(bar.symbol, 1);
    });
    const records = await same({
      strategy,
      series: flat(6),
      actions: [{ at: 3, run: (k) => k.reduce("risk review", "operator") }],
    });
    expect(refusals(records, "reducing")).toHaveLength(3);
    expect(records.filter((r) => r.kind === "order" && r.payload.side === "sell").length).toBeGreaterThanOrEqual(4);
  });

  it("the development idle pause and a signal store that cannot record hold orders, and let go", async () => {
    const strategy = every((ctx, bar) => ctx.buy(bar.symbol, 1));
    const records = await same({
      strategy,
      series: flat(8),
      actions: [
        { at: 2, run: (k) => k.setPaused("none of cursor, code is running") },
        { at: 4, run: (k) => k.setPaused("") },
        { at: 5, run: (k) => k.setStoreHold("signal store unavailable: order sending halted") },
        { at: 7, run: (k) => k.setStoreHold("") },
      ],
    });
    expect(refusals(records, "paused").map((r) => r.payload.reason)).toEqual(
      Array(2).fill("auto-execution paused: none of cursor, code is running"),
    );
    expect(refusals(records, "signal_store")).toHaveLength(2);
    expect(records.filter((r) => r.kind === "order")).toHaveLength(4);
  });
});

describe("the high-water mark the stop-loss watches", () => {
  /** The rule as first written: a new high raises the mark, else a fall below the stop level trips (and disarms). */
  function reference(pct: number, cash: number, equities: readonly number[]) {
    const factor = pct > 0 ? 1 - pct : 0;
    let peak = cash;
    let stop = factor > 0 ? cash * factor : Number.NEGATIVE_INFINITY;
    const out: string[] = [];
    for (const e of equities) {
      if (e > peak) {
        peak = e;
        stop = factor > 0 ? e * factor : Number.NEGATIVE_INFINITY;
      } else if (e < stop) {
        out.push(`trip ${e}`);
        stop = Number.NEGATIVE_INFINITY;
      }
      out.push(`${peak} ${stop}`);
    }
    return out;
  }

  function tracked(pct: number, cash: number, equities: readonly number[]) {
    const portfolio = new Portfolio(["X"], cash);
    const risk = new RiskEngine(riskSettings({ emergencyStopLossPct: pct }), new TradingStateSwitch(), portfolio);
    const out: string[] = [];
    for (const e of equities) {
      if (risk.track(e)) {
        out.push(`trip ${e}`);
        risk.disarmStopLoss();
      }
      out.push(`${risk.peak} ${risk.stopLevel}`);
    }
    return out;
  }

  it("takes the same decisions as the branch it replaced: new highs, trips, re-arming, the stop-loss off", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    // a walk with rallies, crashes, plateaus (equal values), a value that is not a number, and negative equity
    const walk: number[] = [];
    let e = 100_000;
    for (let i = 0; i < 5000; i++) {
      const r = random();
      e = r < 0.02 ? e * 0.4 : r < 0.04 ? e * 2.6 : r < 0.07 ? e : e * (1 + (random() - 0.5) * 0.05);
      walk.push(e);
    }
    walk.splice(100, 0, Number.NaN, -5, 0, 100_000);
    for (const pct of [0, 0.05, 0.3, 0.5]) {
      const expected = reference(pct, 100_000, walk);
      expect(tracked(pct, 100_000, walk)).toEqual(expected);
      if (pct > 0) expect(expected.filter((line) => line.startsWith("trip")).length).toBeGreaterThan(5);
      // below zero a new high is under its own stop level (an account that started in debt)
      const debt = [-1200, -900, -900, -950, -800, -800, -2000, -700, -700, -695, -698, -694];
      expect(tracked(pct, -1000, debt)).toEqual(reference(pct, -1000, debt));
    }
  });
});
