/**
 * The service host every tradeops service runs: health levels 1–3, /metrics and the control routes on
 * Fastify, bound to 127.0.0.1 unless told otherwise. `start()` listens first (so level 1 answers while
 * components start), then starts components in dependency order and fails fast; `shutdown()` drains.
 */

import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { TroError } from "../errors.js";
import { findPortHolder } from "../exec/port-holder.js";
import { LOOP_LAG_FAIL_MS, MEMORY_FAIL_PERCENT } from "../health/components.js";
import { systemChecks } from "../health/deep/checks.js";
import { createDeepRunner, type DeepCheck } from "../health/deep/runner.js";
import { Liveness } from "../health/liveness.js";
import { createServiceMetrics, type ServiceMetrics } from "../health/metrics.js";
import { createHealthRegistry, type HealthRegistry } from "../health/registry.js";
import type { InstanceView } from "../health/reports.js";
import { createSystemMonitor, type SystemMonitor } from "../health/system-monitor.js";
import { type Clock, codeOfError, systemClock } from "../health/types.js";
import { buildServiceApp } from "./app.js";
import type { TokenSource } from "./auth.js";
import { type HostContext, type HostLogger, silentLogger, type TradingControls } from "./context.js";
import {
  type DrainHook,
  drain,
  type HostState,
  Lifecycle,
  SHUTDOWN_TIMEOUT_MS,
  type ShutdownReport,
} from "./lifecycle.js";
import type { PortfolioSource } from "./plugins/portfolio-route.js";
import { serviceComponent } from "./service-component.js";

export const DEFAULT_BIND_HOST = "127.0.0.1";

export interface ServiceHostOptions {
  readonly service: string;
  readonly executionMode: string;
  /** who this instance is (workspace, environment, project, release, colour, pid): in /health and control answers */
  readonly instance?: InstanceView;
  /** the registry the runtime registered its components in (default: an empty one) */
  readonly registry?: HealthRegistry;
  /** the trading-state switch; without it there are no control routes */
  readonly controls?: TradingControls;
  readonly metrics?: ServiceMetrics;
  readonly logger?: HostLogger;
  /** bind address (default 127.0.0.1: nothing outside this machine reaches the service unless configured) */
  readonly host?: string;
  /** port (default 0: any free port) */
  readonly port?: number;
  readonly corsOrigins?: readonly string[];
  /** the strategy's book, served read-only at GET /portfolio */
  readonly portfolio?: PortfolioSource;
  /** the control token (from secrets); control routes refuse everyone without one */
  readonly controlToken?: TokenSource;
  /** live checks for level 3 (database, broker, secrets, freshness, log, metrics); loop and memory are built in */
  readonly deepChecks?: readonly DeepCheck[];
  /** graceful-shutdown steps, in order: stop new work, finish or cancel orders, flush the signal log */
  readonly drainHooks?: readonly DrainHook[];
  /** the manifest's `health.path` and `health.detailedPath` when they differ from /health and /health/detailed */
  readonly paths?: { readonly level1?: string; readonly level2?: string };
  readonly clock?: Clock;
  readonly system?: SystemMonitor;
  readonly liveness?: Liveness;
  readonly deepCacheTtlMs?: number;
  readonly shutdownTimeoutMs?: number;
  /** keep answering (readiness failing) at least this long after draining starts, so balancers notice */
  readonly drainDelayMs?: number;
  readonly limits?: { readonly loopLagMs?: number; readonly heapPercent?: number };
  /** a server already listening on the port (bound before the host was built): the host takes its requests over */
  readonly listener?: PreboundListener;
}

/** A listening server whose requests the host takes over at `start()` (see src/node/early-listener.ts). */
export interface PreboundListener {
  readonly server: import("node:http").Server;
  attach(
    handler: (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => void,
  ): void;
  close(): Promise<void>;
}

export interface ServiceHost {
  readonly app: FastifyInstance;
  readonly registry: HealthRegistry;
  readonly metrics: ServiceMetrics;
  readonly liveness: Liveness;
  readonly system: SystemMonitor;
  readonly state: HostState;
  /** false while starting and from the first moment of shutdown: the runtime takes no new work then */
  readonly acceptingWork: boolean;
  /** resolves when shutdown has finished */
  readonly closed: Promise<ShutdownReport>;
  start(): Promise<{ url: string; host: string; port: number }>;
  shutdown(reason?: string): Promise<ShutdownReport>;
  /** shuts down on the first of `signals` (default SIGTERM, SIGINT); returns a function removing the handlers */
  handleSignals(options?: { target?: SignalTarget; signals?: readonly NodeJS.Signals[] }): () => void;
}

export type SignalTarget = Pick<NodeJS.EventEmitter, "on" | "off">;

/**
 * Builds a service host; nothing listens until `start()`.
 * @throws TRO_ERR_INTERNAL when the registry already has a component named `service`
 */
export function createServiceHost(options: ServiceHostOptions): ServiceHost {
  const clock = options.clock ?? systemClock;
  const registry = options.registry ?? createHealthRegistry({ clock });
  const system = options.system ?? createSystemMonitor({ clock });
  const liveness = options.liveness ?? new Liveness(clock);
  const metrics =
    options.metrics ?? createServiceMetrics({ service: options.service, executionMode: options.executionMode, clock });
  const logger = options.logger ?? silentLogger;
  const lifecycle = new Lifecycle();
  const limits = {
    loopLagMs: options.limits?.loopLagMs ?? LOOP_LAG_FAIL_MS,
    heapPercent: options.limits?.heapPercent ?? MEMORY_FAIL_PERCENT,
  };
  registry.register(serviceComponent(lifecycle));
  metrics.attachHealth(() => registry.evaluate());
  const ctx: HostContext = {
    identity: {
      service: options.service,
      executionMode: options.executionMode,
      startedAt: clock.now(),
      ...(options.instance ? { instance: options.instance } : {}),
    },
    clock,
    registry,
    liveness,
    system,
    metrics,
    deep: createDeepRunner([...systemChecks(system, limits), ...(options.deepChecks ?? [])], {
      clock,
      cacheTtlMs: options.deepCacheTtlMs,
    }),
    lifecycle,
    controls: options.controls,
    controlToken: options.controlToken,
    ...(options.portfolio ? { portfolio: options.portfolio } : {}),
    corsOrigins: options.corsOrigins ?? [],
    logger,
    paths: {
      level1: options.paths?.level1 ? [options.paths.level1] : [],
      level2: options.paths?.level2 ? [options.paths.level2] : [],
    },
  };
  const app = buildServiceApp(ctx);
  const bindHost = options.host ?? DEFAULT_BIND_HOST;
  let resolveClosed!: (report: ShutdownReport) => void;
  const closed = new Promise<ShutdownReport>((resolve) => {
    resolveClosed = resolve;
  });
  let shutdownRun: Promise<ShutdownReport> | undefined;
  const disposers: (() => void)[] = [];

  const runShutdown = async (reason: string): Promise<ShutdownReport> => {
    const began = performance.now();
    const wasRunning = lifecycle.move("draining");
    let report: ShutdownReport = { reason, forced: false, steps: [] };
    if (wasRunning) {
      logger.info({ reason }, "shutting down: readiness now fails, no new work is taken");
      const { forced, steps } = await drain(options.drainHooks ?? [], options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS);
      report = { reason, forced, steps };
      for (const step of steps.filter((s) => !s.ok))
        logger.warn({ step: step.name, code: step.code }, "drain step failed");
      const wait = (options.drainDelayMs ?? 0) - (performance.now() - began);
      if (wait > 0) await delay(wait);
    }
    system.stop();
    await app.close();
    await options.listener?.close();
    lifecycle.move("stopped");
    for (const dispose of disposers.splice(0)) dispose();
    logger.info({ reason, forced: report.forced }, "stopped");
    resolveClosed(report);
    return report;
  };

  const shutdown = (reason = "requested"): Promise<ShutdownReport> => {
    shutdownRun ??= runShutdown(reason);
    return shutdownRun;
  };

  return {
    app,
    registry,
    metrics,
    liveness,
    system,
    closed,
    get state() {
      return lifecycle.state;
    },
    get acceptingWork() {
      return lifecycle.acceptingWork;
    },
    async start() {
      if (!lifecycle.move("starting")) {
        throw new TroError("TRO_ERR_INTERNAL", `service ${options.service} cannot start from state ${lifecycle.state}`);
      }
      system.start();
      try {
        if (options.listener) {
          await app.ready();
          options.listener.attach(app.routing);
        } else await app.listen({ host: bindHost, port: options.port ?? 0 });
      } catch (error) {
        lifecycle.move("failed");
        await shutdown("listen failed");
        const code = codeOfError(error);
        const holder = code === "EADDRINUSE" && options.port ? findPortHolder(options.port) : undefined;
        throw new TroError(
          "TRO_ERR_SERVICE_START",
          `service ${options.service} cannot listen on ${bindHost}:${options.port ?? 0} (${code}${holder ? `: pid ${holder.pid} holds it, ${holder.command}` : ""})`,
          {
            hint:
              code === "EADDRINUSE"
                ? `Stop ${holder ? `pid ${holder.pid}` : "the process that holds the port"}, or run on another port with --port N (0: any free port).`
                : "Check the host and port settings.",
            cause: error,
          },
        );
      }
      try {
        await registry.initAll();
      } catch (error) {
        lifecycle.move("failed");
        logger.error({ code: codeOfError(error) }, "start-up failed; stopping");
        await shutdown("start-up failed");
        throw error;
      }
      lifecycle.move("ready");
      const { port } = (options.listener?.server ?? app.server).address() as AddressInfo;
      logger.info({ service: options.service, host: bindHost, port }, "service host ready");
      const urlHost = bindHost.includes(":") ? `[${bindHost}]` : bindHost;
      return { url: `http://${urlHost}:${port}`, host: bindHost, port };
    },
    shutdown,
    handleSignals({ target = process, signals = ["SIGTERM", "SIGINT"] } = {}) {
      const onSignal = (signal: NodeJS.Signals) => {
        if (shutdownRun) logger.warn({ signal }, "already shutting down");
        else void shutdown(signal);
      };
      for (const s of signals) target.on(s, onSignal);
      const dispose = () => {
        for (const s of signals) target.off(s, onSignal);
      };
      disposers.push(dispose);
      return dispose;
    },
  };
}
