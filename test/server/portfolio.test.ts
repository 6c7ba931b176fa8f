/**
 * GET /portfolio on the service host: 503 until the strategy runs, then the book of a real kernel after a
 * backtest of the S&P 500 bars (cash, equity, P&L, drawdown, positions, trades, equity and prices, thinned).
 */
import { afterEach, expect, it } from "vitest";
import type { Kernel } from "../../src/runtime/kernel.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { observeFeed, portfolioSource, SNAPSHOT_POINTS } from "../../src/server/portfolio-source.js";
import { crossover, sp500 } from "../runtime/fixtures.js";
import { type Desk, deskHost } from "./helpers.js";

let desk: Desk | undefined;
afterEach(async () => {
  await desk?.host.shutdown();
  desk = undefined;
});

it("answers 503 before the strategy has started, then the kernel's book", async () => {
  const series = sp500(2000);
  let kernel: Kernel | undefined;
  const feed = observeFeed({ kind: "replay", series, speed: 1, description: "sp500" });
  desk = deskHost({ portfolio: portfolioSource(() => kernel, feed) });
  const before = await desk.host.app.inject({ url: "/portfolio" });
  expect(before.statusCode).toBe(503);
  expect(before.json().error.message).toBe("the strategy has not started trading yet");

  const run = runBacktest({ strategy: crossover, params: {}, series, initialCash: 100_000 });
  kernel = run.kernel as Kernel;
  const response = await desk.host.app.inject({ url: "/portfolio" });
  expect(response.statusCode).toBe(200);
  const book = response.json();
  const p = run.kernel.portfolio;
  expect(book).toMatchObject({
    strategy: "crossover",
    initialCash: 100_000,
    cash: p.cash,
    equity: p.equity,
    fills: p.fills,
  });
  expect(book.positions[0]).toMatchObject({ symbol: "SPY", qty: p.positions[0]!.qty });
  expect(book.trades.length).toBe(Math.min(p.trades.length, 200));
  expect(book.trades.length).toBeGreaterThan(0);
  expect(book.equityCurve.length).toBe(SNAPSHOT_POINTS);
  expect(book.equityCurve.at(-1)).toEqual([series.time[1999]! / 1000, run.kernel.equity.values[1999]]);
  expect(book.prices.SPY.length).toBe(SNAPSHOT_POINTS);
  expect(book.prices.SPY.at(-1)).toEqual([series.time[1999]! / 1000, series.close[1999]]);
  expect(book.maxDrawdown).toBeGreaterThan(0);
  expect(book.maxDrawdown).toBeLessThan(1);
  expect(book.realizedPnl).toBeCloseTo(p.positions[0]!.realizedPnl, 6);
});

it("keeps the bars a live feed delivered, up to the kernel's time", async () => {
  const bars = [1, 2, 3].map((i) => ({
    symbol: "X",
    time: i * 60_000,
    open: i,
    high: i,
    low: i,
    close: 10 + i,
    volume: 1,
  }));
  const feed = observeFeed({
    kind: "live",
    description: "test",
    bars: (async function* () {
      yield* bars;
    })(),
  });
  const seen = [];
  if (feed.feed.kind === "live") for await (const bar of feed.feed.bars) seen.push(bar);
  expect(seen).toEqual(bars);
  expect(feed.prices(120_000)).toEqual({
    X: [
      [60, 11],
      [120, 12],
    ],
  });
});
