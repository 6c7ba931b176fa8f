/** Summary statistics on known curves, and the HTML report's content. */
import { describe, expect, it } from "vitest";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { buildReport } from "../../src/runtime/report/build.js";
import { renderHtml } from "../../src/runtime/report/html.js";
import { summarize } from "../../src/runtime/report/stats.js";
import { crossover, sp500 } from "./fixtures.js";

const DAY = 86_400_000;
const curve = (values: number[], step = DAY) => ({
  times: Float64Array.from(values, (_, i) => i * step),
  values: Float64Array.from(values),
  count: values.length,
});

describe("summary statistics", () => {
  it("return, CAGR over the measured years, max drawdown from the high-water mark", () => {
    const s = summarize(curve([100, 120, 90, 130, 110]), [], 100, 0, 0);
    expect(s.totalReturn).toBeCloseTo(0.1, 12);
    expect(s.maxDrawdown).toBeCloseTo(0.25, 12); // 120 → 90
    expect(s.years).toBeCloseTo(4 / 365.25, 12);
    expect(s.cagr).toBeCloseTo(1.1 ** (365.25 / 4) - 1, 6);
  });

  it("Sharpe from per-bar returns, annualized by the bars per year the data has", () => {
    const values = [100];
    for (let i = 1; i <= 252; i++) values.push(values[i - 1]! * (i % 2 ? 1.02 : 0.99));
    const s = summarize(curve(values, (365.25 * DAY) / 252), [], 100, 0, 0);
    const r = values.map((v, i) => (i ? v / values[i - 1]! - 1 : 0));
    const mean = r.reduce((a, b) => a + b) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    expect(s.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 6);
  });

  it("trades, win rate, best and worst", () => {
    const trade = (pnl: number) => ({
      symbol: "X",
      direction: "long" as const,
      entryTime: 0,
      exitTime: 1,
      qty: 1,
      entryPrice: 1,
      exitPrice: 1,
      fees: 0,
      pnl,
      returnPct: 0,
      exitReason: "signal",
    });
    const s = summarize(curve([100, 100]), [trade(5), trade(-2), trade(1)], 100, 3, 6);
    expect(s).toMatchObject({ trades: 3, winRate: 2 / 3, bestTrade: 5, worstTrade: -2, fees: 3, fills: 6 });
  });
});

describe("the report", () => {
  it("is one self-contained HTML page with the summary, both charts and the trades", () => {
    const run = runBacktest({ strategy: crossover, params: {}, series: sp500(1200) });
    const report = buildReport(run, {
      project: "argo",
      environment: "test",
      data: "sample:sp500",
      now: () => new Date(0),
    });
    expect(report.summary.trades).toBe(run.kernel.portfolio.trades.length);
    expect(report.trades.length).toBeGreaterThan(5);
    expect(report.equity.length).toBeLessThanOrEqual(1200);
    expect(report.decisions).toMatchObject({
      order: expect.any(Number),
      fill: expect.any(Number),
      signal: expect.any(Number),
    });
    const html = renderHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    // one file: every script is inline, nothing has a src or href to load, no stylesheet link
    expect(html).not.toMatch(/<script[^>]+src=|<link |<img /);
    expect(html).toContain("LightweightCharts");
    for (const id of [
      "summary",
      "price",
      "equity",
      "drawdown",
      "returns",
      "trades",
      "open-trades",
      "symbols",
      "decisions",
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('aria-label="equity curve"');
    expect(html).toContain('class="benchmark"');
    expect(html).toContain('aria-label="drawdown"');
    expect((html.match(/<tr><td>\d+<\/td><td>SPY<\/td>/g) ?? []).length).toBe(report.trades.length);
    expect(html).toContain("Buy and hold SPY");
    expect(html).toContain("Reconciled to the cent");
    const data = JSON.parse(/<script type="application\/json" id="price-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.markers.length).toBe(2 * report.trades.length + report.openTrades.length);
    expect(data.closes.length).toBe(1200);
  });

  it("metrics: profit factor, expectancy, exposure, monthly returns that compound to the yearly ones", () => {
    const run = runBacktest({ strategy: crossover, params: {}, series: sp500(1200) });
    const report = buildReport(run, { environment: "test", data: "sample:sp500" });
    const won = report.trades.filter((t) => t.pnl > 0).reduce((a, t) => a + t.pnl, 0);
    const lost = -report.trades.filter((t) => t.pnl <= 0).reduce((a, t) => a + t.pnl, 0);
    expect(report.metrics.profitFactor).toBeCloseTo(won / lost, 9);
    expect(report.metrics.expectancy).toBeCloseTo((won - lost) / report.trades.length, 9);
    expect(report.metrics.exposure).toBeGreaterThan(0);
    expect(report.metrics.exposure).toBeLessThan(1);
    for (const y of report.returns) {
      const compounded = y.months.reduce((a: number, m) => a * (1 + (m ?? 0)), 1) - 1;
      expect(compounded).toBeCloseTo(y.total, 9);
    }
    const total = report.returns.reduce((a, y) => a * (1 + y.total), 1) - 1;
    expect(total).toBeCloseTo(report.summary.totalReturn, 9);
    expect(report.equity.at(-1)!.benchmark / 100_000 - 1).toBeCloseTo(report.benchmark.totalReturn, 9);
    expect(report.bySymbol).toEqual([expect.objectContaining({ symbol: "SPY", trades: report.trades.length })]);
  });

  it("escapes what it did not write itself", () => {
    const run = runBacktest({ strategy: crossover, params: {}, series: sp500(100) });
    const html = renderHtml(buildReport(run, { project: "<script>x</script>", environment: "test", data: "d" }));
    expect(html).not.toContain("<script>x</script>");
    expect(html).toContain("&lt;script&gt;");
  });
});
