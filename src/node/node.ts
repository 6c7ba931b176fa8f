/**
 * The trading node (NautilusTrader's TradingNode): the one composition root of a running strategy. It builds the
 * feed, the venue behind the order permit (orders switch and executor lease), risk and the kernel, the recorder,
 * the control routes and health with its level-3 checks, and owns the lifecycle: bind the port (liveness
 * answers), take the lease, trade, and on SIGTERM stop new work, finish in-flight orders, flush the records and
 * give the lease up. `tradeops serve` and library users call `runTradingNode`.
 */

import { TroError } from "../errors.js";
import { createServiceMetrics } from "../health/metrics.js";
import { createHealthRegistry } from "../health/registry.js";
import type { Logger } from "../logging/logger.js";
import { environmentNotifier } from "../notify/index.js";
import { nodeIdleProbe } from "../runtime/idle-probe.js";
import type { FeedSpec } from "../runtime/modes/session.js";
import type { RunPlan } from "../runtime/plan.js";
import { type PreparedProject, planFor, prepareProject } from "../runtime/runner.js";
import type { ExecutionMode } from "../runtime/types.js";
import type { ServiceHost } from "../server/host.js";
import { observeFeed, permitLease, portfolioSource, tradingSample } from "../server/portfolio-source.js";
import { requireProject } from "../workspace/lookup.js";
import type { Workspace } from "../workspace/types.js";
import { nodeDeepChecks, RecentErrors } from "./deep-checks.js";
import { earlyMode } from "./early-listener.js";
import { type InstanceIdentity, nodeIdentity } from "./identity.js";
import { openNodeLease } from "./lease.js";
import {
  controlTokenFor,
  letRequestsIn,
  listenFirst,
  logStart,
  permitComponent,
  permitEventHandler,
  portFromEnv,
  stopTrading,
} from "./node-start.js";
import { createOrderPermit, type OrderPermit } from "./permit.js";
import { createStrategyService, type StrategyService } from "./service.js";
import { openServiceRecords, runSummary } from "./service-records.js";
import { createStartTimeline, type StartTimeline } from "./start-timeline.js";
import { alpacaClientFor, createFeed, createVenue } from "./wiring.js";

export interface TradingNodeOptions {
  readonly workspace: Workspace;
  readonly environment: string;
  readonly project: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly mode?: ExecutionMode;
  readonly data?: string;
  /** the port (default `PORT`, which the supervisor and deploys set, else the project's; 0: any free port) */
  readonly port?: number;
  readonly speed?: number;
  /** values to keep out of every output (the control token) */
  readonly scrubber?: { add(value: string, label: string): void };
  /** where startup facts are logged before the logger exists at its final level */
  readonly detection?: { readonly source: string; readonly detail: string };
  /** called once the service host answers on the port (tests, callers that print the URL) */
  readonly onListening?: (url: string, node: TradingNodeView) => void;
  /** the start timeline to time phases on (the CLI records its boot and manifest phases first) */
  readonly timeline?: StartTimeline;
  /** called when trading has started, with the start timeline (also logged as one record) */
  readonly onReady?: (timeline: StartTimeline) => void;
}

export interface TradingNodeView {
  readonly identity: InstanceIdentity;
  readonly permit: OrderPermit;
  readonly host: ServiceHost;
  readonly plan: RunPlan;
}

export interface NodeSummary {
  readonly bars?: number;
  readonly mode: string;
  /** what the run did: fills, trades, equity, trading state */
  readonly result: Record<string, unknown>;
  readonly reason: string;
  readonly permit: { readonly state: string; readonly token: number; readonly reason: string };
}

/**
 * Runs a strategy as a node until its feed ends or a signal stops it. The port is bound first (liveness answers
 * while the rest loads, readiness says STARTING); config and strategy, then data, store, lease and control token.
 * @throws TroError from preparing the project (config, strategy), the guards, the lease store, or listening
 */
export async function runTradingNode(o: TradingNodeOptions): Promise<NodeSummary> {
  const timeline = o.timeline ?? createStartTimeline();
  const log = o.log;
  const project = requireProject(o.workspace, o.project);
  const port = o.port ?? portFromEnv(o.env.PORT) ?? project.port ?? 0;
  const early =
    project.kind === "strategy"
      ? await listenFirst({
          project,
          port,
          executionMode: earlyMode(o.workspace.settings, o.environment, o.mode),
          timeline,
        })
      : undefined;
  let lease: Awaited<ReturnType<typeof openNodeLease>> | undefined;
  let records: Awaited<ReturnType<typeof openServiceRecords>> | undefined;
  let permit: OrderPermit | undefined;
  try {
    // the port answers liveness only when the event loop gets to it: each step below is let through between the
    // long synchronous parts of the start (a warm spare, whose config and strategy load fast, never waits otherwise)
    await letRequestsIn();
    const prepared = await prepareProject({
      workspace: o.workspace,
      project: o.project,
      environment: o.environment as PreparedProject["environment"],
      env: o.env,
      phase: (name, work) => timeline.time(name, work),
    });
    await letRequestsIn();
    const plan = planFor(prepared, "serve", { mode: o.mode, data: o.data });
    const identity = nodeIdentity({
      workspace: o.workspace,
      environment: prepared.environment,
      project: prepared.project.name,
      configHash: prepared.config.hash,
      env: o.env,
    });
    logStart(log, prepared, plan, early?.port ?? port, identity, o.detection);

    let service: StrategyService | undefined;
    const permitEvents = permitEventHandler({
      log,
      notifier: environmentNotifier(o.workspace, prepared.environment, { env: o.env }),
      workspace: o.workspace.name,
      prepared,
      holder: () => identity.release || (lease?.holder ?? ""),
      record: (fields) => service?.kernel?.record("state", undefined, fields),
    });
    const onPermit = permitEvents.onPermit;
    const errors = new RecentErrors();
    const countingLog = {
      info: log.info.bind(log),
      warn: log.warn.bind(log),
      error: (obj: object, msg?: string) => {
        errors.note();
        log.error(obj, msg);
      },
    };

    const abort = new AbortController();
    await letRequestsIn();
    // the store, the lease and the control token do not depend on each other: opened together, and the service
    // host's modules load meanwhile
    const opening = Promise.allSettled([
      timeline.time("store", () =>
        openServiceRecords({
          workspace: o.workspace,
          prepared,
          plan,
          env: o.env,
          log: countingLog,
          release: identity.release,
          color: identity.color,
          token: () => permit?.token ?? 0,
        }),
      ),
      openNodeLease({ workspace: o.workspace, prepared, plan, env: o.env }),
      controlTokenFor(o, prepared, log),
      import("../server/host.js"),
    ] as const);
    const keepOpened = async () => {
      const settled = await opening;
      if (settled[0].status === "fulfilled") records = settled[0].value;
      if (settled[1].status === "fulfilled") lease = settled[1].value;
      return settled;
    };
    // a replay's bars are parsed while those open
    let feedSpec: FeedSpec;
    try {
      feedSpec = timeline.time("data", () =>
        createFeed({ workspace: o.workspace, prepared, plan, env: o.env, signal: abort.signal, speed: o.speed }),
      );
    } catch (error) {
      await keepOpened();
      throw error;
    }
    await letRequestsIn();
    const [openedRecords, openedLease, openedToken, hostModule] = await keepOpened();
    for (const r of [openedRecords, openedLease, openedToken, hostModule]) if (r.status === "rejected") throw r.reason;
    if (!(records && lease && hostModule.status === "fulfilled" && openedToken.status === "fulfilled"))
      throw new TroError("TRO_ERR_INTERNAL", "the node's start lost a step");
    const { createServiceHost } = hostModule.value;
    const controlToken = openedToken.value;
    permit = createOrderPermit({
      orders: lease.orders,
      holder: lease.holder,
      ...(lease.release ? { release: lease.release } : {}),
      ttlMs: lease.ttlMs,
      onChange: onPermit,
      ...(lease.store ? { lease: lease.store } : {}),
    });
    const gate = permit;
    const venue = createVenue({ workspace: o.workspace, prepared, plan, env: o.env, signal: abort.signal, gate });
    const metrics = createServiceMetrics({ service: prepared.project.name, executionMode: plan.mode });
    const feed = observeFeed(feedSpec);
    service = createStrategyService({
      prepared,
      plan,
      root: o.workspace.root,
      venue,
      feed: feed.feed,
      sink: records.sink,
      runId: Date.now().toString(36),
      log: countingLog,
      signal: abort.signal,
      metrics,
      gate,
      ...(records.recorder ? { store: records.recorder } : {}),
      ...(plan.idlePause ? { idleProbe: nodeIdleProbe() } : {}),
    });
    const running = service;
    const sink = records.sink;
    metrics.attachTrading(
      tradingSample(() => running.kernel, permitLease(gate)),
      { lease: Boolean(lease.store) },
    );
    const registry = createHealthRegistry();
    for (const c of [...running.components, ...records.components, permitComponent(gate)]) registry.register(c);
    const broker =
      plan.venue === "simulated"
        ? undefined
        : (() => {
            const client = alpacaClientFor({ workspace: o.workspace, prepared, env: o.env });
            return () => client.getAccount();
          })();
    const host = createServiceHost({
      service: prepared.project.name,
      executionMode: plan.mode,
      instance: {
        workspace_id: identity.workspaceId,
        environment: identity.environment,
        project: identity.project,
        release: identity.release,
        color: identity.color,
        config_hash: identity.configHash,
        pid: identity.pid,
      },
      registry,
      metrics,
      logger: countingLog,
      port: early?.port ?? port,
      ...(early ? { listener: early } : {}),
      controls: {
        halt: ({ reason }) => running.halt(reason, "control:http"),
        resume: () => running.resume("control:http"),
        state: () => running.tradingState(),
      },
      portfolio: portfolioSource(() => running.kernel, feed),
      controlToken,
      deepChecks: nodeDeepChecks({
        project: prepared.project.name,
        ...(records.recorder ? { recorder: records.recorder } : {}),
        ...(broker ? { broker } : {}),
        freshness: running.freshness,
        errors,
        permit: gate,
      }),
      paths: { level1: prepared.project.health.path, level2: prepared.project.health.detailedPath },
      drainHooks: [
        // stop deciding; the feed loop flushes the venue's queue before it returns (in-flight orders finish)
        { name: "stop-trading", run: () => stopTrading(abort, running.done) },
        { name: "flush-signals", run: () => sink.flush?.() },
        { name: "release-lease", run: () => gate.stop() },
        { name: "notifications", run: () => permitEvents.settled() },
      ],
    });
    return await runNode({
      host,
      service: running,
      permit: gate,
      log,
      identity,
      plan,
      healthPath: prepared.project.health.path,
      timeline,
      onListening: o.onListening,
      onReady: o.onReady,
    });
  } finally {
    await permit?.stop().catch(() => undefined);
    await lease?.store?.close().catch(() => undefined);
    await records?.close();
    await early?.close();
  }
}

async function runNode(p: {
  host: ServiceHost;
  service: StrategyService;
  permit: OrderPermit;
  log: Logger;
  identity: InstanceIdentity;
  plan: RunPlan;
  healthPath: string;
  timeline: StartTimeline;
  onListening?: TradingNodeOptions["onListening"];
  onReady?: TradingNodeOptions["onReady"];
}): Promise<NodeSummary> {
  const { host, service, permit, log } = p;
  const removeSignals = host.handleSignals();
  try {
    const { url } = await p.timeline.time("ready", async () => {
      const started = await host.start();
      await permit.start();
      await service.start();
      return started;
    });
    log.info({ url }, `health on ${url}${p.healthPath}`);
    log.info(p.timeline.toRecord(), "start timeline");
    p.onListening?.(url, { identity: p.identity, permit, host, plan: p.plan });
    p.onReady?.(p.timeline);
    const summary = await Promise.race([service.done, host.closed.then(() => undefined)]);
    const reason = summary ? `the feed ended after ${summary.bars} bars` : "stopped";
    await host.shutdown(reason);
    const result = runSummary(service.kernel, summary?.bars);
    log.info(result, "stopped trading");
    return {
      bars: summary?.bars,
      mode: p.plan.mode,
      result,
      reason,
      permit: { state: permit.state, token: permit.token, reason: permit.reason },
    };
  } finally {
    await host.shutdown("start failed");
    removeSignals();
  }
}
