/**
 * The service's Prometheus metrics (prom-client): process defaults, HTTP, loop ticks, signals, orders,
 * risk rejections, halts and health per component. Times are exported as Unix timestamps, not ages
 * (Prometheus "timestamps, not time since"), so an alert on `time() - x` still fires when the updater dies.
 * Label values are bounded: anything not name-shaped becomes `other`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DeepRound } from "./deep/runner.js";
import type { FreshnessTracker } from "./freshness.js";
import type { ComponentReport } from "./registry.js";
import { registerTradingMetrics, type TradingSample } from "./trading-metrics.js";
import { type Clock, HEALTH_STATUSES, isValidName, systemClock } from "./types.js";

const P = "tradeops_";
const label = (value: string) => (isValidName(value) ? value : "other");
const seconds = (ms: number) => ms / 1000;

export interface ServiceMetricsOptions {
  readonly service: string;
  readonly executionMode: string;
  /** a registry to add to (default: a new one, so several hosts in one process do not collide) */
  readonly registry?: Registry;
  /** Node process metrics (default true) */
  readonly defaultMetrics?: boolean;
  readonly clock?: Clock;
}

export class ServiceMetrics {
  readonly registry: Registry;
  readonly #clock: Clock;
  #health: (() => readonly ComponentReport[]) | undefined;
  #freshness: FreshnessTracker | undefined;
  /** probe answers counted in a plain map and added to the counter on scrape: probes are the hot path */
  readonly #probes = new Map<string, { method: string; route: string; status_code: string; count: number }>();
  readonly http: Counter<"method" | "route" | "status_code">;
  readonly httpDuration: Histogram<"method" | "route">;
  readonly #ticks: Counter;
  readonly #lastTick: Gauge;
  readonly #signals: Counter<"side">;
  readonly #orders: Counter<"side" | "outcome">;
  readonly #rejections: Counter<"rule">;
  readonly #halts: Counter<"source">;
  readonly #halted: Gauge;
  readonly #lastHalt: Gauge;
  readonly #checkStatus: Gauge<"check">;
  readonly #checkDuration: Gauge<"check">;
  readonly #checkRun: Gauge;

  constructor(options: ServiceMetricsOptions) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.#clock = options.clock ?? systemClock;
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const self = this;
    new Gauge({
      name: `${P}service_info`,
      help: "1, labelled with the service and its execution mode",
      registers,
      labelNames: ["service", "execution_mode"],
    }).set({ service: label(options.service), execution_mode: label(options.executionMode) }, 1);
    this.http = new Counter({
      name: `${P}http_requests_total`,
      help: "HTTP requests answered",
      labelNames: ["method", "route", "status_code"],
      registers,
      collect() {
        for (const p of self.#probes.values()) {
          if (p.count === 0) continue;
          this.inc({ method: p.method, route: p.route, status_code: p.status_code }, p.count);
          p.count = 0;
        }
      },
    });
    this.httpDuration = new Histogram({
      name: `${P}http_request_duration_seconds`,
      help: "HTTP request duration",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5],
      registers,
    });
    this.#ticks = new Counter({ name: `${P}loop_ticks_total`, help: "strategy loop ticks completed", registers });
    this.#lastTick = new Gauge({
      name: `${P}loop_last_tick_timestamp_seconds`,
      help: "when the last loop tick completed",
      registers,
    });
    this.#signals = new Counter({
      name: `${P}signals_total`,
      help: "signals emitted",
      labelNames: ["side"],
      registers,
    });
    this.#orders = new Counter({
      name: `${P}orders_total`,
      help: "order events",
      labelNames: ["side", "outcome"],
      registers,
    });
    this.#rejections = new Counter({
      name: `${P}risk_rejections_total`,
      help: "decisions the risk layer refused",
      labelNames: ["rule"],
      registers,
    });
    this.#halts = new Counter({ name: `${P}halts_total`, help: "trading halts", labelNames: ["source"], registers });
    this.#halted = new Gauge({ name: `${P}trading_halted`, help: "1 while trading is halted", registers });
    this.#lastHalt = new Gauge({
      name: `${P}last_halt_timestamp_seconds`,
      help: "when trading was last halted",
      registers,
    });
    new Gauge({
      name: `${P}health_component_status`,
      help: "component status: 0 healthy, 1 degraded, 2 unhealthy",
      labelNames: ["component"],
      registers,
      collect() {
        this.reset();
        for (const c of self.#health?.() ?? []) this.set({ component: c.name }, HEALTH_STATUSES.indexOf(c.status));
      },
    });
    new Gauge({
      name: `${P}health_component_sample_timestamp_seconds`,
      help: "when each component's current sample was taken",
      labelNames: ["component"],
      registers,
      collect() {
        this.reset();
        for (const c of self.#health?.() ?? [])
          if (c.sampledAt !== undefined) this.set({ component: c.name }, seconds(c.sampledAt));
      },
    });
    new Gauge({
      name: `${P}marketdata_last_receive_timestamp_seconds`,
      help: "when the last bar or tick of each stream arrived",
      labelNames: ["stream"],
      registers,
      collect() {
        this.reset();
        for (const s of self.#freshness?.snapshot() ?? [])
          if (s.lastAt !== undefined) this.set({ stream: s.stream }, seconds(s.lastAt));
      },
    });
    this.#checkStatus = new Gauge({
      name: `${P}health_check_status`,
      help: "level-3 check: 0 healthy, 2 unhealthy",
      labelNames: ["check"],
      registers,
    });
    this.#checkDuration = new Gauge({
      name: `${P}health_check_duration_seconds`,
      help: "level-3 check duration",
      labelNames: ["check"],
      registers,
    });
    this.#checkRun = new Gauge({
      name: `${P}health_check_last_run_timestamp_seconds`,
      help: "when level-3 checks last ran",
      registers,
    });
  }

  /** Component health is read from the registry at scrape time (memory only). */
  attachHealth(evaluate: () => readonly ComponentReport[]): void {
    this.#health = evaluate;
  }

  attachFreshness(tracker: FreshnessTracker): void {
    this.#freshness = tracker;
  }

  /** Equity, cash, positions, P&L, drawdown, fills and the lease, read from the book at scrape time (once). */
  attachTrading(sample: () => TradingSample | undefined, options: { readonly lease?: boolean } = {}): void {
    registerTradingMetrics(this.registry, sample, options);
  }

  /** Counts an answer without timing it (health probes, 404s): a map update instead of a label hash. */
  countRequest(method: string, route: string, status: number): void {
    const key = `${method} ${status} ${route}`;
    const entry = this.#probes.get(key);
    if (entry) entry.count++;
    else this.#probes.set(key, { method, route, status_code: String(status), count: 1 });
  }

  recordTick(at: number = this.#clock.now()): void {
    this.#ticks.inc();
    this.#lastTick.set(seconds(at));
  }

  recordSignal(side: string): void {
    this.#signals.inc({ side: label(side) });
  }

  /** outcome: submitted, filled, cancelled, rejected, … */
  recordOrder(side: string, outcome: string): void {
    this.#orders.inc({ side: label(side), outcome: label(outcome) });
  }

  recordRejection(rule: string): void {
    this.#rejections.inc({ rule: label(rule) });
  }

  recordHalt(source: string, at: number = this.#clock.now()): void {
    this.#halts.inc({ source: label(source) });
    this.#halted.set(1);
    this.#lastHalt.set(seconds(at));
  }

  recordResume(): void {
    this.#halted.set(0);
  }

  recordDeep(round: DeepRound): void {
    this.#checkRun.set(seconds(round.at));
    for (const [name, c] of Object.entries(round.checks)) {
      this.#checkStatus.set({ check: label(name) }, HEALTH_STATUSES.indexOf(c.status));
      this.#checkDuration.set({ check: label(name) }, c.duration_ms / 1000);
    }
  }
}

/** Metrics for one service, in their own registry unless one is given. */
export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  return new ServiceMetrics(options);
}
