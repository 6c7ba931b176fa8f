import { describe, expect, it } from "vitest";
import { dataFeedComponent, tradingStateComponent } from "../../src/health/components.js";
import { createFreshnessTracker } from "../../src/health/freshness.js";
import { createHealthRegistry } from "../../src/health/registry.js";
import { manualClock } from "./clock.js";

const BUDGET_MS = 30_000;

async function feedSetup(streams: string[] = ["AAPL:1Min", "MSFT:1Min"]) {
  const clock = manualClock();
  const tracker = createFreshnessTracker({ clock, staleAfterMs: BUDGET_MS, streams });
  let connected = true;
  const registry = createHealthRegistry({ clock });
  registry.register(dataFeedComponent({ tracker, connected: () => connected }));
  await registry.initAll();
  const feed = () => registry.evaluate()[0]!;
  const disconnect = () => {
    connected = false;
  };
  return { clock, tracker, feed, disconnect };
}

describe("data feed freshness", () => {
  it("fails before the first bar: a stream never heard from is not fresh", async () => {
    const { feed } = await feedSetup();
    expect(feed()).toMatchObject({
      status: "unhealthy",
      error_code: "NO_DATA",
      readiness_checks: { connected: true, "fresh:AAPL:1Min": false, "fresh:MSFT:1Min": false },
    });
  });

  it("fails when it expects no stream at all (the vacuous pass)", async () => {
    const { feed } = await feedSetup([]);
    expect(feed()).toMatchObject({ status: "unhealthy", error_code: "NO_STREAMS" });
  });

  it("connected but silent: unhealthy as soon as the budget is exceeded, not later", async () => {
    const { clock, tracker, feed } = await feedSetup();
    tracker.record("AAPL:1Min");
    tracker.record("MSFT:1Min");
    expect(feed().status).toBe("healthy");
    // AAPL keeps delivering; MSFT's stream stays open and goes quiet
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      tracker.record("AAPL:1Min");
    }
    expect(feed()).toMatchObject({ status: "healthy", readiness_checks: { connected: true } });
    clock.advance(1);
    tracker.record("AAPL:1Min");
    expect(feed()).toMatchObject({
      status: "unhealthy",
      error_code: "STALE_DATA",
      readiness_checks: { connected: true, "fresh:AAPL:1Min": true, "fresh:MSFT:1Min": false },
    });
    // recovery: the next message makes it fresh again
    tracker.record("MSFT:1Min");
    expect(feed().status).toBe("healthy");
  });

  it("uses a per-stream budget where cadences differ", () => {
    const clock = manualClock();
    const tracker = createFreshnessTracker({ clock, staleAfterMs: 5000, budgets: { "SPY:1Day": 26 * 3600_000 } });
    tracker.record("SPY:1Day");
    tracker.record("BTC:tick");
    clock.advance(6000);
    expect(tracker.snapshot().map((s) => [s.stream, s.fresh])).toEqual([
      ["SPY:1Day", true],
      ["BTC:tick", false],
    ]);
  });

  it("reports a disconnected feed as such, even with recent data", async () => {
    const { tracker, feed, disconnect } = await feedSetup(["AAPL:1Min"]);
    tracker.record("AAPL:1Min");
    disconnect();
    expect(feed()).toMatchObject({ status: "unhealthy", error_code: "DISCONNECTED" });
  });
});

describe("trading state", () => {
  it("is degraded, not unhealthy, while halted, and says why with a code", async () => {
    let state: { state: "active" | "halted"; reasonCode?: string } = { state: "active" };
    const registry = createHealthRegistry();
    registry.register(tradingStateComponent({ read: () => state }));
    await registry.initAll();
    expect(registry.evaluate()[0]).toMatchObject({ status: "healthy", error_code: null, critical: false });
    state = { state: "halted", reasonCode: "DRAWDOWN_LIMIT" };
    expect(registry.evaluate()[0]).toMatchObject({
      status: "degraded",
      error_code: "DRAWDOWN_LIMIT",
      readiness_checks: { trading_open: false },
    });
    state = { state: "halted", reasonCode: "operator said: stop now" };
    expect(registry.evaluate()[0]!.error_code).toBe("HALTED");
  });
});
