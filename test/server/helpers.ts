/** A service host with a fixed system probe and a hand-moved clock, plus the components the runtime registers. */
import { dataFeedComponent, type TradingState, tradingStateComponent } from "../../src/health/components.js";
import { createFreshnessTracker, type FreshnessTracker } from "../../src/health/freshness.js";
import { createHealthRegistry, type HealthRegistry } from "../../src/health/registry.js";
import { createSystemMonitor, type SystemProbe } from "../../src/health/system-monitor.js";
import { createServiceHost, type ServiceHost, type ServiceHostOptions } from "../../src/server/host.js";
import { type ManualClock, manualClock } from "../health/clock.js";

export const fixedProbe = (): SystemProbe => ({
  cpuTimes: () => ({ idle: 750, total: 1000 }),
  memory: () => ({ total: 16 * 2 ** 30, available: 8.5 * 2 ** 30 }),
  heap: () => ({ used: 40e6, limit: 4e9 }),
  loopDelay: () => 1.5,
});

export const FEED_BUDGET_MS = 30_000;
export const BROKER_MAX_AGE_MS = 10_000;

export interface Desk {
  readonly host: ServiceHost;
  readonly clock: ManualClock;
  readonly registry: HealthRegistry;
  readonly tracker: FreshnessTracker;
  readonly trading: { state: TradingState; reasonCode?: string };
  /** every component healthy at the current time */
  allGood(): void;
}

/** A host shaped like the runtime's: data feed, broker session, signal store (non-critical), risk state. */
export function deskHost(options: Partial<ServiceHostOptions> = {}): Desk {
  const clock = manualClock();
  const registry = createHealthRegistry({ clock });
  const tracker = createFreshnessTracker({ clock, staleAfterMs: FEED_BUDGET_MS, streams: ["AAPL:1Min"] });
  const trading: Desk["trading"] = { state: "active" };
  registry.register(dataFeedComponent({ tracker }));
  registry.register({ name: "broker", maxAgeMs: BROKER_MAX_AGE_MS });
  registry.register({ name: "signal_store", critical: false, maxAgeMs: BROKER_MAX_AGE_MS });
  registry.register(tradingStateComponent({ read: () => trading }));
  const system = createSystemMonitor({ probe: fixedProbe(), clock });
  const host = createServiceHost({
    service: "argo",
    executionMode: "paper",
    registry,
    clock,
    system,
    ...options,
  });
  return {
    host,
    clock,
    registry,
    tracker,
    trading,
    allGood() {
      tracker.record("AAPL:1Min");
      registry.report("broker", { status: "healthy", checks: { connected: true } });
      registry.report("signal_store", { status: "healthy", checks: { writable: true } });
      trading.state = "active";
    },
  };
}
