/**
 * GET /portfolio on the service host: 503 until the strategy runs, then the book of a real kernel after a
 * backtest of the S&P 500 bars (cash, equity, P&L, drawdown, positions, trades, equity and prices, thinned).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { openLease } from "../../src/accounts/lease.js";
import { fileLeaseStore } from "../../src/accounts/lease-store.js";
import { createServiceMetrics } from "../../src/health/metrics.js";
import { createOrderPermit } from "../../src/node/permit.js";
import type { Kernel } from "../../src/runtime/kernel.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import {
  observeFeed,
  permitLease,
  portfolioSource,
  SNAPSHOT_POINTS,
  tradingSample,
} from "../../src/server/portfolio-source.js";
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

it("puts the book and the executor lease into /metrics with Prometheus names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-lease-"));
  try {
    const where = { dir, project: "argo", account: "alpaca:paper:PA1" };
    const lease = openLease(where);
    lease.transfer("r-old");
    lease.transfer("r-new");
    const permit = createOrderPermit({
      orders: false,
      holder: "r-new",
      lease: fileLeaseStore(where),
      ttlMs: 60_000,
      pollMs: 0,
    });
    await permit.start();
    expect(permit.state).toBe("holding");
    const token = permit.token;
    const run = runBacktest({ strategy: crossover, params: {}, series: sp500(1500), initialCash: 100_000 });
    const metrics = createServiceMetrics({ service: "argo", executionMode: "paper", defaultMetrics: false });
    let kernel: Kernel | undefined;
    metrics.attachTrading(
      tradingSample(() => kernel, permitLease(permit)),
      { lease: true },
    );
    expect(await metrics.registry.metrics()).not.toMatch(/^tradeops_position_quantity/m);
    kernel = run.kernel as Kernel;
    const text = await metrics.registry.metrics();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    const p = run.kernel.portfolio;
    expect(value("tradeops_account_equity")).toBeCloseTo(p.equity, 6);
    expect(value("tradeops_account_cash")).toBeCloseTo(p.cash, 6);
    expect(value('tradeops_position_quantity{symbol="SPY"}')).toBe(p.positions[0]!.qty);
    expect(value('tradeops_position_value{symbol="SPY"}')).toBeCloseTo(p.positions[0]!.marketValue, 6);
    expect(value("tradeops_pnl_realized")).toBeCloseTo(p.positions[0]!.realizedPnl, 6);
    expect(value("tradeops_fills_total")).toBe(p.fills);
    expect(value("tradeops_drawdown_ratio")).toBeGreaterThanOrEqual(0);
    expect(value("tradeops_executor_lease_held")).toBe(1);
    expect(value("tradeops_executor_lease_fencing_token")).toBe(token);
    expect(value("tradeops_marketdata_last_bar_timestamp_seconds")).toBe(run.series.time[1499]! / 1000);
    lease.transfer("someone-else");
    expect((await permit.beforeSend()).ok).toBe(false);
    const after = await metrics.registry.metrics();
    expect(after).toMatch(/^tradeops_executor_lease_held 0$/m);
    expect(after).toMatch(new RegExp(`^tradeops_executor_lease_fencing_token ${token}$`, "m"));
    // a counter never goes down between scrapes
    expect(after).toMatch(new RegExp(`^tradeops_fills_total ${p.fills}$`, "m"));
    await permit.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("has no executor lease series on a node that runs without a lease", async () => {
  const run = runBacktest({ strategy: crossover, params: {}, series: sp500(300), initialCash: 100_000 });
  const metrics = createServiceMetrics({ service: "argo", executionMode: "paper", defaultMetrics: false });
  metrics.attachTrading(tradingSample(() => run.kernel as Kernel));
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/^tradeops_account_equity /m);
  expect(text).not.toMatch(/tradeops_executor_lease/);
});
