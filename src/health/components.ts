/**
 * Built-in level-2 components the runtime registers: data feed freshness, trading state, event-loop lag and
 * memory. Each reads memory only; broker session and signal store are pushed by monitors (see monitor.ts).
 */
import type { FreshnessTracker } from "./freshness.js";
import type { ComponentSpec } from "./registry.js";
import type { SystemMonitor } from "./system-monitor.js";
import { sanitizeCode } from "./types.js";

/** Starting thresholds from research §4.4, meant to be tuned per service. */
export const LOOP_LAG_WARN_MS = 100;
export const LOOP_LAG_FAIL_MS = 1000;
export const MEMORY_WARN_PERCENT = 80;
export const MEMORY_FAIL_PERCENT = 95;
/** System samples older than this many intervals mean the sampler has stopped. */
const SYSTEM_MAX_AGE_INTERVALS = 5;

export interface DataFeedOptions {
  readonly tracker: FreshnessTracker;
  readonly name?: string;
  /** whether the connection is up; a feed can be connected and still deliver nothing */
  readonly connected?: () => boolean;
  readonly critical?: boolean;
  readonly dependsOn?: readonly string[];
  readonly init?: ComponentSpec["init"];
}

/** Unhealthy when disconnected, when any stream is silent past its budget, or when no stream is known. */
export function dataFeedComponent(options: DataFeedOptions): ComponentSpec {
  return {
    name: options.name ?? "data_feed",
    critical: options.critical ?? true,
    dependsOn: options.dependsOn,
    init: options.init,
    read: (now) => {
      const streams = options.tracker.snapshot(now);
      const connected = options.connected ? options.connected() : true;
      const checks: Record<string, boolean> = { connected };
      for (const s of streams) checks[`fresh:${s.stream}`] = s.fresh;
      const code = !connected
        ? "DISCONNECTED"
        : streams.length === 0
          ? "NO_STREAMS"
          : streams.some((s) => s.lastAt === undefined)
            ? "NO_DATA"
            : streams.some((s) => !s.fresh)
              ? "STALE_DATA"
              : null;
      return { status: code ? "unhealthy" : "healthy", errorCode: code, checks, at: now };
    },
  };
}

export type TradingState = "active" | "reducing" | "halted";

/** A halt is deliberate and a restart would not fix it: degraded (HTTP 200), never unhealthy. */
export function tradingStateComponent(options: {
  read: () => { state: TradingState; reasonCode?: string };
  name?: string;
}): ComponentSpec {
  return {
    name: options.name ?? "risk",
    critical: false,
    read: (now) => {
      const { state, reasonCode } = options.read();
      const checks = { trading_open: state === "active" };
      if (state === "active") return { status: "healthy", checks, at: now };
      const fallback = state === "halted" ? "HALTED" : "REDUCING";
      return { status: "degraded", errorCode: sanitizeCode(reasonCode, fallback), checks, at: now };
    },
  };
}

/** Event-loop delay p99 of the last window: a blocked loop is unhealthy (research §4.4: critical). */
export function eventLoopComponent(
  system: SystemMonitor,
  options: { name?: string; warnMs?: number; failMs?: number } = {},
): ComponentSpec {
  const warn = options.warnMs ?? LOOP_LAG_WARN_MS;
  const fail = options.failMs ?? LOOP_LAG_FAIL_MS;
  return {
    name: options.name ?? "loop_lag",
    maxAgeMs: system.intervalMs * SYSTEM_MAX_AGE_INTERVALS,
    read: () => {
      const s = system.snapshot();
      if (!s) return { status: "unhealthy", errorCode: "NOT_SAMPLED" };
      const lag = s.loopDelayP99Ms;
      const status = lag >= fail ? "unhealthy" : lag >= warn ? "degraded" : "healthy";
      return {
        status,
        errorCode: status === "healthy" ? null : "LOOP_LAG",
        checks: { loop_responsive: lag < fail },
        at: s.at,
      };
    },
  };
}

/** Heap in use against the heap limit: near the limit the process is about to fail. */
export function memoryComponent(
  system: SystemMonitor,
  options: { name?: string; warnPercent?: number; failPercent?: number } = {},
): ComponentSpec {
  const warn = options.warnPercent ?? MEMORY_WARN_PERCENT;
  const fail = options.failPercent ?? MEMORY_FAIL_PERCENT;
  return {
    name: options.name ?? "memory",
    maxAgeMs: system.intervalMs * SYSTEM_MAX_AGE_INTERVALS,
    read: () => {
      const s = system.snapshot();
      if (!s) return { status: "unhealthy", errorCode: "NOT_SAMPLED" };
      const percent = s.heapLimitBytes > 0 ? (s.heapUsedBytes / s.heapLimitBytes) * 100 : 0;
      const status = percent >= fail ? "unhealthy" : percent >= warn ? "degraded" : "healthy";
      return {
        status,
        errorCode: status === "healthy" ? null : "MEMORY_HIGH",
        checks: { heap_ok: percent < fail },
        at: s.at,
      };
    },
  };
}
