import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Counter, Gauge, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  databaseCheck,
  dataFreshnessCheck,
  httpCheck,
  metricThresholdChecks,
  systemChecks,
} from "../../src/health/deep/checks.js";
import { classifyLine, countRecentErrors, logErrorsCheck } from "../../src/health/deep/log-errors.js";
import { runCheck } from "../../src/health/deep/runner.js";
import { createFreshnessTracker } from "../../src/health/freshness.js";
import { createSystemMonitor } from "../../src/health/system-monitor.js";
import { manualClock } from "./clock.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tradeops-health-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("log errors", () => {
  const now = Date.parse("2026-01-05T12:00:00Z");
  const clock = { now: () => now };
  const iso = (ago: number) => new Date(now - ago).toISOString();

  it("recognises pino JSON, Python logging and plain error lines", () => {
    expect(classifyLine(JSON.stringify({ level: 50, time: now, msg: "x" }))).toEqual({ error: true, time: now });
    expect(classifyLine(JSON.stringify({ level: 30, time: now }))).toEqual({ error: false, time: now });
    expect(classifyLine('{"level":"error","timestamp":"2026-01-05T12:00:00Z"}').error).toBe(true);
    expect(classifyLine("2026-01-05 11:59:00,123 - argo - ERROR - order rejected").error).toBe(true);
    expect(classifyLine("2026-01-05 11:59:00,123 - argo - INFO - 0 errors so far").error).toBe(false);
  });

  it("counts only recent error lines; a stack trace belongs to the line before it", () => {
    const text = [
      `${iso(10 * 60_000)} ERROR old failure`,
      "  at old (file.js:1)",
      `${iso(60_000)} INFO fine`,
      `${iso(30_000)} ERROR new failure`,
      "Traceback (most recent call last)",
    ].join("\n");
    expect(countRecentErrors(text, now - 5 * 60_000, now)).toBe(2);
  });

  it("fails with a count, never a line, and passes for a quiet or old log", async () => {
    const path = join(dir, "argo.log");
    writeFileSync(
      path,
      [
        JSON.stringify({ level: 30, time: now - 5000, msg: "tick" }),
        JSON.stringify({ level: 50, time: now - 4000, msg: "db postgres://admin:hunter22@db.internal:5432 refused" }),
      ].join("\n"),
    );
    const failing = await runCheck(logErrorsCheck(path, { clock }));
    expect(failing).toMatchObject({ status: "unhealthy", error_code: "ERROR_LINES", observed_value: 1 });
    expect(JSON.stringify(failing)).not.toMatch(/hunter22|db\.internal/);
    expect(await runCheck(logErrorsCheck(path, { clock, maxErrors: 1 }))).toMatchObject({ status: "healthy" });
    // a log not written to within the window has no recent errors
    utimesSync(path, new Date(now - 3600_000), new Date(now - 3600_000));
    expect(await runCheck(logErrorsCheck(path, { clock }))).toMatchObject({ status: "healthy", observed_value: 0 });
    expect(await runCheck(logErrorsCheck(join(dir, "missing.log"), { clock }))).toMatchObject({
      status: "unhealthy",
      error_code: "LOG_MISSING",
    });
  });

  it("reads only the tail of a large log", async () => {
    const path = join(dir, "big.log");
    const old = `${JSON.stringify({ level: 50, time: now - 1000, msg: "early" })}\n`;
    const filler = `${JSON.stringify({ level: 30, time: now - 500, msg: "x".repeat(100) })}\n`.repeat(200);
    writeFileSync(path, old + filler);
    const tail = await runCheck(logErrorsCheck(path, { clock, tailBytes: 4096 }));
    expect(tail).toMatchObject({ status: "healthy", observed_value: 0 });
    expect(await runCheck(logErrorsCheck(path, { clock }))).toMatchObject({ observed_value: 1 });
  });
});

describe("metric thresholds", () => {
  it("compares the current value and fails on a missing metric", async () => {
    const registry = new Registry();
    const rejections = new Counter({ name: "rej_total", help: "h", labelNames: ["rule"], registers: [registry] });
    const drawdown = new Gauge({ name: "drawdown_ratio", help: "h", registers: [registry] });
    rejections.inc({ rule: "max_trade" }, 3);
    drawdown.set(0.02);
    const [rej, dd, missing] = metricThresholdChecks(registry, [
      { metric: "rej_total", max: 2, name: "rejections" },
      { metric: "drawdown_ratio", max: 0.1 },
      { metric: "nope_total", max: 1 },
    ]);
    expect(rej!.name).toBe("metrics:rejections");
    expect(await runCheck(rej!)).toMatchObject({
      status: "unhealthy",
      error_code: "ABOVE_THRESHOLD",
      observed_value: 3,
    });
    expect(await runCheck(dd!)).toMatchObject({ status: "healthy", observed_value: 0.02 });
    expect(await runCheck(missing!)).toMatchObject({ status: "unhealthy", error_code: "METRIC_MISSING" });
    const [byLabel] = metricThresholdChecks(registry, [{ metric: "rej_total", labels: { rule: "other" }, max: 1 }]);
    expect(await runCheck(byLabel!)).toMatchObject({ error_code: "METRIC_MISSING" });
  });
});

describe("reachability", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === "/ok" ? 200 : 502).end("upstream said: secret-token-xyz at 10.1.2.3");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("passes on 2xx, fails with the status code otherwise, and when nothing listens", async () => {
    expect(await runCheck(httpCheck(`${base}/ok`, { name: "api" }))).toMatchObject({ status: "healthy" });
    const bad = await runCheck(httpCheck(`${base}/bad`, { name: "api" }));
    expect(bad).toMatchObject({ status: "unhealthy", error_code: "HTTP_502" });
    expect(JSON.stringify(bad)).not.toMatch(/secret-token|10\.1\.2\.3|127\.0\.0\.1/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await runCheck(httpCheck(`http://127.0.0.1:${port}/`, { name: "api" }))).toMatchObject({
      status: "unhealthy",
      error_code: "ECONNREFUSED",
    });
  });

  it("pings a real database through the function it is given", async () => {
    const db = new Database(join(dir, "signals.db"));
    const ok = await runCheck(databaseCheck(async () => db.prepare("select 1").get()));
    expect(ok).toMatchObject({ status: "healthy", observed_unit: "ms" });
    db.close();
    const closedDb = await runCheck(databaseCheck(async () => db.prepare("select 1").get()));
    expect(closedDb).toMatchObject({ status: "unhealthy", error_code: "ERROR" });
  });
});

describe("freshness and system checks", () => {
  it("measures data freshness now, with the oldest stream's age", async () => {
    const clock = manualClock();
    const tracker = createFreshnessTracker({ clock, staleAfterMs: 10_000, streams: ["AAPL"] });
    const check = dataFreshnessCheck(tracker, { clock });
    expect(await runCheck(check)).toMatchObject({ error_code: "NO_DATA" });
    tracker.record("AAPL");
    clock.advance(12_000);
    expect(await runCheck(check)).toMatchObject({ error_code: "STALE_DATA", observed_value: 12, observed_unit: "s" });
  });

  it("judges loop lag and heap from the sampler", async () => {
    const probe = {
      cpuTimes: () => ({ idle: 0, total: 0 }),
      memory: () => ({ total: 8, available: 4 }),
      heap: () => ({ used: 960, limit: 1000 }),
      loopDelay: () => 1500,
    };
    const system = createSystemMonitor({ probe, clock: manualClock() });
    const [loop, memory] = systemChecks(system, { loopLagMs: 1000, heapPercent: 95 });
    expect(await runCheck(loop!)).toMatchObject({ error_code: "NOT_SAMPLED" });
    system.sample();
    expect(await runCheck(loop!)).toMatchObject({ error_code: "LOOP_LAG", observed_value: 1500 });
    expect(await runCheck(memory!)).toMatchObject({
      error_code: "MEMORY_HIGH",
      observed_value: 96,
      observed_unit: "%",
    });
  });
});
