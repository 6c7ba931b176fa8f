/**
 * Why: the start of a trading node in the order that lets liveness answer first: bind the port (or take the one the
 * CLI bound), then load config and strategy, then the data, the signal store, the executor lease and the control
 * token together — each step timed on the start timeline.
 */
import { TroError } from "../errors.js";
import { findPortHolder } from "../exec/port-holder.js";
import type { ComponentSpec } from "../health/registry.js";
import type { Logger } from "../logging/logger.js";
import type { Notifier } from "../notify/index.js";
import { resolveControlToken } from "../runtime/control-token.js";
import { describeAccount, type RunPlan } from "../runtime/plan.js";
import type { PreparedProject } from "../runtime/runner.js";
import type { Project, Workspace } from "../workspace/types.js";
import { bindEarly, type EarlyListener, NODE_BIND_HOST, takeEarly } from "./early-listener.js";
import type { InstanceIdentity } from "./identity.js";
import type { OrderPermit, PermitEvent } from "./permit.js";
import type { StartTimeline } from "./start-timeline.js";

/**
 * The node's port, bound: the listener the CLI bound before loading the command tree, or a new one.
 * @throws TroError TRO_ERR_SERVICE_START when the port cannot be bound (naming who holds it)
 */
export async function listenFirst(o: {
  readonly project: Project;
  readonly port: number;
  readonly executionMode: string;
  readonly timeline: StartTimeline;
}): Promise<EarlyListener> {
  const handed = await takeEarly(NODE_BIND_HOST, o.port);
  if (handed) {
    o.timeline.record("listen", handed.bindMs, handed.boundAt);
    return handed;
  }
  try {
    return await o.timeline.time("listen", () =>
      bindEarly({
        service: o.project.name,
        executionMode: o.executionMode,
        host: NODE_BIND_HOST,
        port: o.port,
        paths: { level1: o.project.health.path, level2: o.project.health.detailedPath },
      }),
    );
  } catch (error) {
    throw listenError(o.project.name, o.port, error);
  }
}

/** The listen failure as the one sentence the host gives too. */
export function listenError(service: string, port: number, error: unknown): TroError {
  const code = (error as NodeJS.ErrnoException)?.code ?? "ERROR";
  const holder = code === "EADDRINUSE" && port ? findPortHolder(port) : undefined;
  return new TroError(
    "TRO_ERR_SERVICE_START",
    `service ${service} cannot listen on ${NODE_BIND_HOST}:${port} (${code}${holder ? `: pid ${holder.pid} holds it, ${holder.command}` : ""})`,
    {
      hint:
        code === "EADDRINUSE"
          ? `Stop ${holder ? `pid ${holder.pid}` : "the process that holds the port"}, or run on another port with --port N (0: any free port).`
          : "Check the host and port settings.",
      cause: error,
    },
  );
}

/** The control token from secrets, kept out of every output; undefined (logged) when there is none. */
export async function controlTokenFor(
  o: {
    readonly workspace: Workspace;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly scrubber?: { add(value: string, label: string): void };
  },
  prepared: PreparedProject,
  log: Logger,
) {
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

/** @throws TroError TRO_ERR_USAGE when PORT is set and not a port number */
export function portFromEnv(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0 && n < 65_536)) {
    throw new TroError("TRO_ERR_USAGE", `PORT=${text} is not a port number.`, { hint: "For example PORT=8000." });
  }
  return n;
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

export function logStart(
  log: Logger,
  prepared: PreparedProject,
  plan: RunPlan,
  port: number,
  identity: InstanceIdentity,
  detection: { readonly source: string; readonly detail: string } | undefined,
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

export async function stopTrading(abort: AbortController, done: Promise<unknown>): Promise<void> {
  abort.abort();
  await done.catch(() => undefined);
}

/**
 * What the node does when its order permit changes: log it, record it, and when order sending stopped because the
 * executor lease was lost, tell the environment's notification channels (`settled()` waits for those sends).
 */
export function permitEventHandler(o: {
  readonly log: Logger;
  readonly notifier: Pick<Notifier, "notify">;
  readonly workspace: string;
  readonly prepared: PreparedProject;
  readonly holder: () => string;
  readonly record: (fields: Record<string, unknown>) => void;
}) {
  const sending = new Set<Promise<unknown>>();
  const onPermit = (event: PermitEvent) => {
    const fields = { lease: event.to, token: event.token, reason: event.reason };
    if (event.to === "fenced" || event.to === "expired") {
      o.log.error(fields, `order sending stopped: ${event.reason}`);
      const sent = o.notifier.notify({
        event: "lease-lost",
        environment: o.prepared.environment,
        workspace: o.workspace,
        project: o.prepared.project.name,
        summary: `${o.prepared.project.name}: order sending stopped, the executor lease was lost.`,
        facts: { reason: event.reason, release: o.holder(), token: event.token },
        at: new Date().toISOString(),
      });
      sending.add(sent);
      void sent.finally(() => sending.delete(sent));
    } else o.log.info(fields, `order permit: ${event.to}`);
    o.record({ ...fields, from: event.from });
  };
  return { onPermit, settled: async () => void (await Promise.all(sending)) };
}

/** A short pass through the event loop's poll phase: a waiting health request is accepted, read and answered. */
export function letRequestsIn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}
