/** The Grafana dashboard in docs/ queries only metrics a node serves: every `tradeops_…` name in it is in /metrics. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createServiceMetrics } from "../../src/health/metrics.js";
import type { Kernel } from "../../src/runtime/kernel.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { tradingSample } from "../../src/server/portfolio-source.js";
import { crossover, sp500 } from "../runtime/fixtures.js";

it("names only metrics /metrics serves, and parses as a dashboard", async () => {
  const dashboard = JSON.parse(
    readFileSync(join(import.meta.dirname, "../../docs/grafana/tradeops-trading.json"), "utf8"),
  );
  expect(dashboard.uid).toBe("tradeops-trading");
  const names = new Set(JSON.stringify(dashboard).match(/tradeops_[a-z_]+/g));
  const metrics = createServiceMetrics({ service: "argo", executionMode: "paper", defaultMetrics: false });
  const run = runBacktest({ strategy: crossover, params: {}, series: sp500(300), initialCash: 100_000 });
  metrics.attachTrading(
    tradingSample(
      () => run.kernel as unknown as Kernel,
      () => ({ held: true, fencingToken: 3 }),
    ),
    { lease: true },
  );
  metrics.recordRejection("max_trade_usd");
  metrics.recordOrder("buy", "filled");
  const served = new Set(
    (await metrics.registry.metrics()).match(/^# TYPE (tradeops_[a-z_]+)/gm)?.map((l) => l.slice(7)),
  );
  expect(names.size).toBeGreaterThan(10);
  for (const name of names) expect(served, name).toContain(name.replace(/_(bucket|sum|count)$/, ""));
});
