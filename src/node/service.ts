/**
 * A strategy as a service (the trading node's kernel side), everything but the HTTP host and the broker adapters: the
 * session for the plan's mode, the kill-switch file, the development idle pause, the signal store's hold on
 * orders, metrics from the records, and the health components the host serves.
 */
import { dataFeedComponent, tradingStateComponent } from "../health/components.js";
import { createFreshnessTracker, type FreshnessTracker } from "../health/freshness.js";
import type { ServiceMetrics } from "../health/metrics.js";
import type { ComponentSpec } from "../health/registry.js";
import { type ControlWatcher, controlFilePath, watchControl } from "../runtime/control-file.js";
import type { OrderGate } from "../runtime/execution/gate.js";
import type { ExecutionVenue } from "../runtime/execution/venue.js";
import { IDLE_CHECK_INTERVAL_MS, IdleMonitor, type IdleProbe } from "../runtime/idle.js";
import type { Kernel } from "../runtime/kernel.js";
import type { FeedSummary } from "../runtime/modes/feed.js";
import { runLive } from "../runtime/modes/live.js";
import { runPaper } from "../runtime/modes/paper.js";
import { type FeedSpec, startSession } from "../runtime/modes/session.js";
import type { RunPlan } from "../runtime/plan.js";
import { type RuntimeRecord, type SignalSink, teeSink } from "../runtime/records.js";
import type { PreparedProject } from "../runtime/runner.js";
import { dustFor } from "../runtime/settings.js";
import type { StrategyLog } from "../runtime/strategy.js";
import type { TradingState } from "../runtime/types.js";

/** pino-shaped: what the service logs through */
export interface ServiceLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StoreStatus {
  ordersAllowed(): boolean;
  status(): { readonly message: string; readonly status: string };
}

export interface StrategyServiceOptions {
  readonly prepared: PreparedProject;
  readonly plan: RunPlan;
  /** workspace root: where the kill-switch file is */
  readonly root: string;
  readonly venue: ExecutionVenue;
  readonly feed: FeedSpec;
  readonly sink: SignalSink;
  readonly runId: string;
  readonly log: ServiceLog;
  readonly signal: AbortSignal;
  readonly metrics?: ServiceMetrics;
  /** the signal store's recorder: when it may not record, orders are held */
  readonly store?: StoreStatus;
  /** the order permit (orders switch and executor lease) every order passes after risk */
  readonly gate?: OrderGate;
  /** given when the plan pauses on idle (development against a broker) */
  readonly idleProbe?: IdleProbe;
  readonly timers?: { setInterval?: typeof setInterval; clearInterval?: typeof clearInterval };
}

export interface StrategyService {
  /** the kernel, once `start()` has built it */
  readonly kernel: Kernel | undefined;
  /** settles when the run ends (the feed ran out, or the abort signal stopped it); rejects if start failed */
  readonly done: Promise<FeedSummary>;
  /** the level-2 health components: data feed freshness and the trading state */
  readonly components: readonly ComponentSpec[];
  /** when each symbol last delivered a bar (level 3's data freshness) */
  readonly freshness: FreshnessTracker;
  /** Opens the venue (guards first), builds the kernel and starts the feed. */
  start(): Promise<void>;
  halt(reason: string, source: string): void;
  resume(source: string): void;
  tradingState(): { state: TradingState; reasonCode?: string };
  /** stops the watchers (the feed stops through the abort signal) */
  stop(): void;
}

/** A stream is stale after this long without a bar: replays move fast, live feeds by their timeframe. */
export const REPLAY_FRESHNESS_MS = 30_000;
/** How often the signal store's state is looked at for the order hold. */
export const STORE_CHECK_MS = 1_000;
/** How often a real-time feed's fills are fetched between bars. */
export const LIVE_SYNC_MS = 2_000;

/** Builds the service; nothing trades until `start()`. */
export function createStrategyService(o: StrategyServiceOptions): StrategyService {
  const { prepared, plan, log } = o;
  const setTimer = o.timers?.setInterval ?? setInterval;
  const clearTimer = o.timers?.clearInterval ?? clearInterval;
  const tracker = createFreshnessTracker({
    staleAfterMs: o.feed.kind === "replay" ? REPLAY_FRESHNESS_MS : liveBudget(prepared),
    streams: [...prepared.symbols],
  });
  o.metrics?.attachFreshness(tracker);
  let kernel: Kernel | undefined;
  let watcher: ControlWatcher | undefined;
  const timers: unknown[] = [];
  let settle!: { resolve: (s: FeedSummary) => void; reject: (e: unknown) => void };
  const done = new Promise<FeedSummary>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const stop = () => {
    watcher?.stop();
    for (const t of timers.splice(0)) clearTimer(t as NodeJS.Timeout);
  };
  const strategyLog: StrategyLog = {
    debug: (msg, fields) => log.info({ strategy: prepared.strategy.name, ...fields }, msg),
    info: (msg, fields) => log.info({ strategy: prepared.strategy.name, ...fields }, msg),
    warn: (msg, fields) => log.warn({ strategy: prepared.strategy.name, ...fields }, msg),
  };

  async function start(): Promise<void> {
    const idle = o.idleProbe ? idleMonitor(prepared, o.idleProbe) : undefined;
    const firstIdle = idle ? await idle.check() : "";
    const prepare = (k: Kernel<unknown, unknown>) => {
      kernel = k as Kernel;
      watcher = watchControl(controlFilePath(o.root, prepared.project.name), (c) => {
        if (c.state === "halted") k.halt(`kill switch: ${c.reason}`, `kill-switch:${c.by}`);
        else k.resume(`kill switch lifted: ${c.reason}`, `kill-switch:${c.by}`);
        log.warn({ state: c.state, by: c.by, reason: c.reason }, `kill switch: trading ${c.state}`);
      });
      if (firstIdle) {
        k.setPaused(firstIdle);
        log.warn({ reason: firstIdle }, "auto-execution paused (development idle)");
      }
    };
    const session = {
      strategy: prepared.strategy,
      params: prepared.params,
      symbols: prepared.symbols,
      feed: o.feed,
      venue: o.venue,
      sink: o.metrics ? teeSink(o.sink, metricsSink(o.metrics)) : o.sink,
      risk: { ...prepared.settings.risk, autoExecute: plan.autoExecute },
      initialCash: prepared.settings.initialCash,
      dust: dustFor(prepared.settings, prepared.symbols),
      environment: prepared.environment,
      runId: o.runId,
      log: strategyLog,
      signal: o.signal,
      syncIntervalMs: o.feed.kind === "live" ? LIVE_SYNC_MS : 0,
      ...(o.gate ? { gate: o.gate } : {}),
      onBar: (bar: { symbol: string }) => {
        tracker.record(bar.symbol);
        o.metrics?.recordTick();
      },
      prepare,
    };
    let handle: { done: Promise<FeedSummary> };
    try {
      handle =
        plan.mode === "live"
          ? await runLive(session)
          : plan.mode === "paper"
            ? await runPaper(session)
            : await startSession("backtest", session);
    } catch (error) {
      stop();
      settle.reject(error);
      throw error;
    }
    if (idle) timers.push(setTimer(() => void checkIdle(idle), IDLE_CHECK_INTERVAL_MS));
    const store = o.store;
    if (store) {
      timers.push(
        setTimer(() => kernel?.setStoreHold(store.ordersAllowed() ? "" : store.status().message), STORE_CHECK_MS),
      );
    }
    handle.done.then(
      (summary) => {
        stop();
        settle.resolve(summary);
      },
      (error) => {
        stop();
        settle.reject(error);
      },
    );
  }

  async function checkIdle(idle: IdleMonitor): Promise<void> {
    const reason = await idle.check();
    if (!kernel || reason === kernel.risk.paused) return;
    kernel.setPaused(reason);
    if (reason) log.warn({ reason }, "auto-execution paused (development idle)");
    else log.info({}, "auto-execution resumed: the machine is awake and in use again");
  }

  const tradingState = () =>
    kernel
      ? { state: kernel.tradingState.state, reasonCode: reasonCode(kernel.tradingState.source) }
      : { state: "halted" as const, reasonCode: "STARTING" };
  return {
    get kernel() {
      return kernel;
    },
    done,
    components: [dataFeedComponent({ tracker }), tradingStateComponent({ read: tradingState })],
    freshness: tracker,
    start,
    halt: (reason, source) => kernel?.halt(reason, source),
    resume: (source) => kernel?.resume("operator resume", source),
    tradingState,
    stop,
  };
}

function idleMonitor(prepared: PreparedProject, probe: IdleProbe): IdleMonitor {
  const idle = prepared.envSettings.idle;
  return new IdleMonitor(
    {
      processes: idle.processes,
      heartbeatFile: idle.heartbeatFile,
      heartbeatMaxAgeMs: idle.heartbeatMaxAgeMinutes === undefined ? undefined : idle.heartbeatMaxAgeMinutes * 60_000,
    },
    probe,
  );
}

/** Metrics from the records: signals, orders, refusals, halts. */
export function metricsSink(metrics: ServiceMetrics): SignalSink {
  return {
    append(record: RuntimeRecord) {
      const p = record.payload;
      if (record.kind === "signal") metrics.recordSignal(String(p.side));
      else if (record.kind === "order") metrics.recordOrder(String(p.side), "submitted");
      else if (record.kind === "fill") metrics.recordOrder(String(p.side), "filled");
      else if (record.kind === "rejected") metrics.recordRejection(String(p.rule));
      else if (record.kind === "state" && p.to === "halted") metrics.recordHalt(String(p.source).split(":")[0]!);
      else if (record.kind === "state" && p.to === "active") metrics.recordResume();
    },
  };
}

function reasonCode(source: string): string {
  return (
    source
      .replace(/^risk:/, "")
      .replace(/[^a-z_]/gi, "_")
      .toUpperCase() || "HALTED"
  );
}

/** Silence allowed on a live feed: two bars of the timeframe, or the heartbeat timeout when longer. */
function liveBudget(prepared: PreparedProject): number {
  const heartbeat = prepared.settings.risk.heartbeatTimeoutMs;
  const m = /^(\d+)(Min|Hour|Day|Week)$/.exec(prepared.settings.timeframe);
  const unit = { Min: 60_000, Hour: 3_600_000, Day: 86_400_000, Week: 604_800_000 };
  const bars = m ? 2 * Number(m[1]) * unit[m[2] as keyof typeof unit] : 86_400_000;
  return Number.isFinite(heartbeat) ? Math.max(heartbeat, bars) : bars;
}
