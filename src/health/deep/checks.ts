/**
 * Built-in level-3 checks. Each answers with a stable code and a number, never with what it touched: no
 * URL, host, connection string or driver message leaves a check. Checks that need secrets, the broker or a
 * database take a function, so the caller decides how to reach them.
 */
import type { Registry } from "prom-client";
import type { FreshnessTracker } from "../freshness.js";
import type { SystemMonitor } from "../system-monitor.js";
import { type Clock, codeOfError, systemClock } from "../types.js";
import type { CheckOutcome, DeepCheck } from "./runner.js";

type Run = DeepCheck["run"];
interface CheckOptions {
  readonly name?: string;
  readonly timeoutMs?: number;
  readonly critical?: boolean;
}

/** Any injected probe as a check: broker reachable, account matching, secrets resolvable, … */
export function injectedCheck(name: string, run: Run, options: CheckOptions = {}): DeepCheck {
  return { name, run, timeoutMs: options.timeoutMs, critical: options.critical };
}

/** The database answers a ping (given as a function over the service's existing pool: no new connection). */
export function databaseCheck(ping: (signal: AbortSignal) => Promise<unknown>, options: CheckOptions = {}): DeepCheck {
  return {
    name: options.name ?? "database",
    timeoutMs: options.timeoutMs,
    critical: options.critical,
    async run(signal) {
      const started = performance.now();
      await ping(signal);
      return { ok: true, observedValue: Math.round(performance.now() - started), observedUnit: "ms" };
    },
  };
}

/** An HTTP dependency answers with an expected status (2xx by default). */
export function httpCheck(
  url: string,
  options: CheckOptions & { expectStatus?: (status: number) => boolean; headers?: Record<string, string> } = {},
): DeepCheck {
  const expect = options.expectStatus ?? ((s: number) => s >= 200 && s < 300);
  return {
    name: options.name ?? "http",
    timeoutMs: options.timeoutMs,
    critical: options.critical,
    async run(signal): Promise<CheckOutcome> {
      const started = performance.now();
      let status: number;
      try {
        const res = await fetch(url, { signal, headers: options.headers, redirect: "manual" });
        status = res.status;
        await res.body?.cancel();
      } catch (error) {
        const code = codeOfError((error as Error).cause);
        return { ok: false, code: code === "ERROR" ? "UNREACHABLE" : code };
      }
      const observedValue = Math.round(performance.now() - started);
      return expect(status)
        ? { ok: true, observedValue, observedUnit: "ms" }
        : { ok: false, code: `HTTP_${status}`, observedValue, observedUnit: "ms" };
    },
  };
}

/** Every expected stream delivered within its budget, measured now. */
export function dataFreshnessCheck(
  tracker: FreshnessTracker,
  options: CheckOptions & { clock?: Clock } = {},
): DeepCheck {
  const clock = options.clock ?? systemClock;
  return {
    name: options.name ?? "data_fresh",
    timeoutMs: options.timeoutMs,
    critical: options.critical,
    run(): CheckOutcome {
      const streams = tracker.snapshot(clock.now());
      if (streams.length === 0) return { ok: false, code: "NO_STREAMS" };
      if (streams.some((s) => s.lastAt === undefined)) return { ok: false, code: "NO_DATA" };
      const oldest = Math.max(...streams.map((s) => s.ageMs ?? 0));
      const observed = { observedValue: Math.round(oldest / 100) / 10, observedUnit: "s" };
      return streams.every((s) => s.fresh) ? { ok: true, ...observed } : { ok: false, code: "STALE_DATA", ...observed };
    },
  };
}

/** Event-loop delay p99 and heap use from the background sampler, against fail thresholds. */
export function systemChecks(system: SystemMonitor, limits: { loopLagMs: number; heapPercent: number }): DeepCheck[] {
  return [
    {
      name: "event_loop",
      run(): CheckOutcome {
        const s = system.snapshot();
        if (!s) return { ok: false, code: "NOT_SAMPLED" };
        const ok = s.loopDelayP99Ms < limits.loopLagMs;
        return { ok, code: "LOOP_LAG", observedValue: s.loopDelayP99Ms, observedUnit: "ms" };
      },
    },
    {
      name: "memory",
      run(): CheckOutcome {
        const s = system.snapshot();
        if (!s || s.heapLimitBytes <= 0) return { ok: false, code: "NOT_SAMPLED" };
        const percent = Math.round((s.heapUsedBytes / s.heapLimitBytes) * 1000) / 10;
        return { ok: percent < limits.heapPercent, code: "MEMORY_HIGH", observedValue: percent, observedUnit: "%" };
      },
    },
  ];
}

export interface MetricRule {
  /** a prom-client metric name in the service's registry */
  readonly metric: string;
  /** only series with these label values; all series otherwise (the largest value is compared) */
  readonly labels?: Readonly<Record<string, string>>;
  readonly max?: number;
  readonly min?: number;
  readonly name?: string;
}

/** One check per rule (`metrics:<name>`): the metric's current value stays within its bounds. */
export function metricThresholdChecks(registry: Registry, rules: readonly MetricRule[]): DeepCheck[] {
  return rules.map((rule) => ({
    name: `metrics:${rule.name ?? rule.metric}`,
    async run(): Promise<CheckOutcome> {
      const metric = registry.getSingleMetric(rule.metric);
      if (!metric) return { ok: false, code: "METRIC_MISSING" };
      const { values } = await metric.get();
      const matching = values.filter((v) =>
        Object.entries(rule.labels ?? {}).every(([k, want]) => String(v.labels[k]) === want),
      );
      if (matching.length === 0) return { ok: false, code: "METRIC_MISSING" };
      const value = Math.max(...matching.map((v) => v.value));
      if (rule.max !== undefined && value > rule.max)
        return { ok: false, code: "ABOVE_THRESHOLD", observedValue: value };
      if (rule.min !== undefined && value < rule.min)
        return { ok: false, code: "BELOW_THRESHOLD", observedValue: value };
      return { ok: true, observedValue: value };
    },
  }));
}
