/**
 * The trading node (NautilusTrader's TradingNode): the one composition root of a running strategy. It builds the
 * feed, the venue behind the order permit (orders switch and executor lease), risk and the kernel, the recorder,
 * the control routes and health with its level-3 checks, and owns the lifecycle: bind the port (liveness
 * answers), take the lease, trade, and on SIGTERM stop new work, finish in-flight orders, flush the records and
 * give the lease up. `tradeops serve` and library users call `runTradingNode`.
 */

import { TroError } from "../errors.js";
import { createServiceMetrics } from "../health/metrics.js";
import { type ComponentSpec, createHealthRegistry } from "../health/registry.js";
import type { Logger } from "../logging/logger.js";
import { environmentNotifier } from "../notify/index.js";
import { resolveControlToken } from "../runtime/control-token.js";
import { nodeIdleProbe } from "../runtime/idle-probe.js";
import { describeAccount, type RunPlan } from "../runtime/plan.js";
import { type PreparedProject, planFor, prepareProject } from "../runtime/runner.js";
import type { ExecutionMode } from "../runtime/types.js";
import { createServiceHost, type ServiceHost } from "../server/host.js";
import { observeFeed, permitLease, portfolioSource, tradingSample } from "../server/portfolio-source.js";
import type { Workspace } from "../workspace/types.js";
import { nodeDeepChecks, RecentErrors } from "./deep-checks.js";
import { type InstanceIdentity, nodeIdentity } from "./identity.js";
import { openNodeLease } from "./lease.js";
import { createOrderPermit, type OrderPermit, type PermitEvent } from "./permit.js";
import { createStrategyService, type StrategyService } from "./service.js";
import { openServiceRecords, runSummary } from "./service-records.js";
import { alpacaClientFor, wireRun } from "./wiring.js";

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
  /** called once the port is bound (tests, callers that print the URL) */
  readonly onListening?: (url: string, node: TradingNodeView) => void;
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
 * Runs a strategy as a node until its feed ends or a signal stops it.
 * @throws TroError from preparing the project (config, strategy), the guards, the lease store, or listening
 */
export async function runTradingNode(o: TradingNodeOptions): Promise<NodeSummary> {
  const prepared = await prepareProject({
    workspace: o.workspace,
    project: o.project,
    environment: o.environment as PreparedProject["environment"],
    env: o.env,
  });
  const plan = planFor(prepared, "serve", { mode: o.mode, data: o.data });
  const port = o.port ?? portFromEnv(o.env.PORT) ?? prepared.project.port ?? 0;
  const log = o.log;
  const identity = nodeIdentity({
    workspace: o.workspace,
    environment: prepared.environment,
    project: prepared.project.name,
    configHash: prepared.config.hash,
    env: o.env,
  });
  logStart(log, prepared, plan, port, identity, o.detection);

  const lease = await openNodeLease({ workspace: o.workspace, prepared, plan, env: o.env });
  let service: StrategyService | undefined;
  const notifier = environmentNotifier(o.workspace, prepared.environment, { env: o.env });
  const sending = new Set<Promise<unknown>>();
  const onPermit = (event: PermitEvent) => {
    const fields = { lease: event.to, token: event.token, reason: event.reason };
    if (event.to === "fenced" || event.to === "expired") {
      log.error(fields, `order sending stopped: ${event.reason}`);
      const sent = notifier.notify({
        event: "lease-lost",
        environment: prepared.environment,
        workspace: o.workspace.name,
        project: prepared.project.name,
        summary: `${prepared.project.name}: order sending stopped, the executor lease was lost.`,
        facts: { reason: event.reason, release: identity.release || lease.holder, token: event.token },
        at: new Date().toISOString(),
      });
      sending.add(sent);
      void sent.finally(() => sending.delete(sent));
    } else log.info(fields, `order permit: ${event.to}`);
    service?.kernel?.record("state", undefined, { ...fields, from: event.from });
  };
  const permit = createOrderPermit({
    orders: lease.orders,
    holder: lease.holder,
    ...(lease.release ? { release: lease.release } : {}),
    ttlMs: lease.ttlMs,
    onChange: onPermit,
    ...(lease.store ? { lease: lease.store } : {}),
  });
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
  const wiring = wireRun({
    workspace: o.workspace,
    prepared,
    plan,
    env: o.env,
    signal: abort.signal,
    speed: o.speed,
    gate: permit,
  });
  const records = await openServiceRecords({
    workspace: o.workspace,
    prepared,
    plan,
    env: o.env,
    log: countingLog,
    release: identity.release,
    color: identity.color,
    token: () => permit.token,
  });
  try {
    const metrics = createServiceMetrics({ service: prepared.project.name, executionMode: plan.mode });
    const feed = observeFeed(wiring.feed);
    service = createStrategyService({
      prepared,
      plan,
      root: o.workspace.root,
      venue: wiring.venue,
      feed: feed.feed,
      sink: records.sink,
      runId: Date.now().toString(36),
      log: countingLog,
      signal: abort.signal,
      metrics,
      gate: permit,
      ...(records.recorder ? { store: records.recorder } : {}),
      ...(plan.idlePause ? { idleProbe: nodeIdleProbe() } : {}),
    });
    const running = service;
    metrics.attachTrading(
      tradingSample(() => running.kernel, permitLease(permit)),
      { lease: Boolean(lease.store) },
    );
    const registry = createHealthRegistry();
    for (const c of [...running.components, ...records.components, permitComponent(permit)]) registry.register(c);
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
      port,
      controls: {
        halt: ({ reason }) => running.halt(reason, "control:http"),
        resume: () => running.resume("control:http"),
        state: () => running.tradingState(),
      },
      portfolio: portfolioSource(() => running.kernel, feed),
      controlToken: await controlTokenFor(o, prepared, log),
      deepChecks: nodeDeepChecks({
        project: prepared.project.name,
        ...(records.recorder ? { recorder: records.recorder } : {}),
        ...(broker ? { broker } : {}),
        freshness: running.freshness,
        errors,
        permit,
      }),
      paths: { level1: prepared.project.health.path, level2: prepared.project.health.detailedPath },
      drainHooks: [
        // stop deciding; the feed loop flushes the venue's queue before it returns (in-flight orders finish)
        { name: "stop-trading", run: () => stopTrading(abort, running.done) },
        { name: "flush-signals", run: () => records.sink.flush?.() },
        { name: "release-lease", run: () => permit.stop() },
        { name: "notifications", run: async () => void (await Promise.all(sending)) },
      ],
    });
    const healthPath = prepared.project.health.path;
    return await runNode({
      host,
      service: running,
      permit,
      log,
      identity,
      plan,
      healthPath,
      onListening: o.onListening,
    });
  } finally {
    await permit.stop().catch(() => undefined);
    await lease.store?.close().catch(() => undefined);
    await records.close();
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
  onListening?: TradingNodeOptions["onListening"];
}): Promise<NodeSummary> {
  const { host, service, permit, log } = p;
  const removeSignals = host.handleSignals();
  try {
    const { url } = await host.start();
    log.info({ url }, `health on ${url}${p.healthPath}`);
    p.onListening?.(url, { identity: p.identity, permit, host, plan: p.plan });
    await permit.start();
    await service.start();
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

/** The executor lease in level 2: never critical (a node in shadow is ready), degraded once the lease is lost. */
export function permitComponent(permit: OrderPermit): ComponentSpec {
  return {
    name: "order_permit",
    critical: false,
    read: (now) => {
      const lost = permit.state === "fenced" || permit.state === "expired";
      return {
        status: lost ? "degraded" : "healthy",
        errorCode: lost ? "LEASE_LOST" : null,
        checks: { sending: permit.state === "holding", lease_lost: lost },
        at: now,
      };
    },
  };
}

function logStart(
  log: Logger,
  prepared: PreparedProject,
  plan: RunPlan,
  port: number,
  identity: InstanceIdentity,
  detection: TradingNodeOptions["detection"],
): void {
  log.info(
    {
      environment: prepared.environment,
      decidedBy: detection?.source,
      detection: detection?.detail,
      mode: plan.mode,
      modeFrom: plan.modeFrom,
      account: describeAccount(prepared, plan),
      venue: plan.venue,
      data: plan.notes.find((n) => n.startsWith("data: "))?.slice(6),
      autoExecute: plan.autoExecute,
      idlePause: plan.idlePause,
      port,
      config: prepared.config.hash.slice(0, 12),
      release: identity.release || undefined,
      color: identity.color || undefined,
    },
    `starting ${prepared.project.name} in ${prepared.environment}: ${plan.mode} mode`,
  );
  for (const note of plan.notes) (note.startsWith("LIVE") ? log.warn.bind(log) : log.info.bind(log))({}, note);
}

async function controlTokenFor(o: TradingNodeOptions, prepared: PreparedProject, log: Logger) {
  const token = await resolveControlToken({ workspace: o.workspace, prepared, env: o.env }).catch((error: Error) => {
    log.warn({ error: error.message }, "no control token: the control routes refuse every caller");
    return undefined;
  });
  if (token) o.scrubber?.add(token.reveal(), "control token");
  else
    log.warn(
      {},
      "no control token (TRADEOPS_CONTROL_TOKEN or the CONTROL_TOKEN secret): use `tradeops halt`, which also writes the kill-switch file",
    );
  return token;
}

async function stopTrading(abort: AbortController, done: Promise<unknown>): Promise<void> {
  abort.abort();
  await done.catch(() => undefined);
}

/** @throws TroError TRO_ERR_USAGE when PORT is set and not a port number */
function portFromEnv(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0 && n < 65_536)) {
    throw new TroError("TRO_ERR_USAGE", `PORT=${text} is not a port number.`, { hint: "For example PORT=8000." });
  }
  return n;
}
