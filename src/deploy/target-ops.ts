/**
 * Operating what a deploy left on a target (Kamal's `app details|logs` and `proxy`): which colour runs which release,
 * its pid, health and uptime, its log, the front proxy's state. Every answer comes from the target itself, through
 * its executor, so a local target and an SSH host are read the same way.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { Executor } from "../exec/command.js";
import type { HealthStatus } from "../health/types.js";
import { SecretScrubber } from "../logging/scrubber.js";
import { resolveSecrets } from "../secrets/resolve.js";
import { requireProject } from "../workspace/lookup.js";
import type { Workspace } from "../workspace/types.js";
import { targetLayout } from "./layout.js";
import { postgresLeaseLocation } from "./lease-driver.js";
import { targetViews } from "./listing.js";
import type { ProxyStatus } from "./proxy/control.js";
import { type TargetState, targetRecords } from "./records.js";
import { DEFAULT_RUNNER, type RunnerKind, recordedRunner } from "./runner-choice.js";
import { openSession, type TargetSession } from "./session.js";
import { targetFiles } from "./target-files.js";
import { projectsWithTargets, requireTarget } from "./targets.js";
import { COLORS, type Color } from "./types.js";
import { probeWorkerOn } from "./worker-health.js";

export interface OperateOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly project: string;
  /** one executor per host, kept by the caller (which closes them) */
  readonly executorFor: (host: string) => Executor;
  /** this machine's name, for the deploy lock */
  readonly hostname: string;
  /** argv running tradeops on a local target (the supervisor runner) */
  readonly tradeops?: readonly string[];
  /** the environment variables (the PostgreSQL lease's location) */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
}

/** One colour of a target as it is now. */
export interface InstanceView {
  readonly color: Color;
  readonly active: boolean;
  readonly release: string;
  readonly port: number;
  readonly running: boolean;
  readonly pid: number | null;
  readonly startedAt: string | null;
  readonly uptimeSeconds: number | null;
  /** level 1 of the colour's own port; `down` when its process does not run */
  readonly health: HealthStatus | "down";
  readonly healthDetail: string;
}

export interface TargetStatusView {
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly host: string;
  readonly path: string;
  readonly runner: RunnerKind;
  /** where its secrets are resolved (`targets.ENV.PROJECT.secrets`): here at each deploy, or only on the host */
  readonly secrets: "deployer" | "host";
  readonly active: Color | null;
  readonly publicPort: number;
  /** how a project deployed without a port runs (no public port, no proxy), or null */
  readonly portless: "worker" | "static" | null;
  readonly proxy: { readonly running: boolean; readonly pid: number | null; readonly routeTo: Color | null };
  readonly instances: readonly InstanceView[];
  /** set by `target stop` until `target start` */
  readonly stopped: { readonly at: string; readonly who: string } | null;
}

/** The state file with what `target stop` adds to it. */
export type OperatedState = TargetState;

/** A session on every host of the project's target, with the runner its releases run under. */
export async function openTargetSessions(
  options: OperateOptions,
): Promise<{ session: TargetSession; state: OperatedState }[]> {
  const project = requireProject(options.workspace, options.project);
  requireTarget(options.workspace, options.environment, project.name);
  const out = [];
  for (const view of targetViews(options.workspace, options.environment, project.name)) {
    const executor = options.executorFor(view.host);
    const records = targetRecords(targetFiles(executor), targetLayout(view.target.path));
    const state = (await records.readState()) as OperatedState;
    const lease =
      project.sendsOrders && view.target.lease === "postgres"
        ? postgresLeaseLocation(options.workspace, options.environment, options.env)
        : undefined;
    const session = openSession({
      project,
      target: view.target,
      host: view.host,
      executor,
      hostname: options.hostname,
      runner: (await recordedRunner(targetFiles(executor), view.target.path, state)) ?? DEFAULT_RUNNER,
      tradeops: options.tradeops,
      ...(lease ? { postgresLease: lease } : {}),
    });
    out.push({ session, state });
  }
  return out;
}

/** Colour, release, pid, health and uptime of each deployed instance, per host. */
export async function targetStatus(options: OperateOptions): Promise<TargetStatusView[]> {
  const now = options.now ?? Date.now;
  const views: TargetStatusView[] = [];
  for (const { session, state } of await openTargetSessions(options)) {
    const instances: InstanceView[] = [];
    for (const color of COLORS) {
      const recorded = state.colors[color];
      if (!recorded) continue;
      const info = await session.runner.running(color);
      // a worker has no port to ask: its process and heartbeat or command are its health, as at deploy
      const probe = !info
        ? undefined
        : session.target.style === "worker"
          ? await probeWorkerOn(session, color)
          : await session.runner.health(recorded.port, 1);
      const startedAt = info?.startedAt || null;
      instances.push({
        color,
        active: state.active === color,
        release: info?.release ?? recorded.release,
        port: recorded.port,
        running: Boolean(info),
        pid: info?.pid ?? null,
        startedAt,
        uptimeSeconds: startedAt ? Math.max(0, Math.round((now() - Date.parse(startedAt)) / 1000)) : null,
        health: probe?.status ?? "down",
        healthDetail: probe ? `${probe.passing}/${probe.total}` : "not running",
      });
    }
    // a project deployed without a port has no front proxy to ask
    const proxy = session.target.style ? undefined : await proxyStatusOf(session);
    views.push({
      project: session.project.name,
      environment: options.environment,
      host: session.host,
      path: session.target.path,
      runner: session.runner.kind,
      secrets: session.target.secrets,
      active: state.active ?? null,
      publicPort: session.target.port,
      portless: session.target.style ?? null,
      proxy: { running: Boolean(proxy), pid: proxy?.pid ?? null, routeTo: proxy?.route?.color ?? null },
      instances,
      // a deploy or a rollback since the stop started a release again
      stopped: instances.some((i) => i.running) ? null : (state.stopped ?? null),
    });
  }
  return views;
}

export interface LogsView {
  readonly host: string;
  readonly logs: readonly { readonly color: Color; readonly release: string; readonly text: string }[];
}

/** The last lines of each deployed colour's log (or of one colour), per host, with the project's secrets redacted. */
export async function targetLogs(
  options: OperateOptions & { readonly lines: number; readonly color?: Color },
): Promise<LogsView[]> {
  const out: LogsView[] = [];
  let scrub: ((text: string) => string) | undefined;
  for (const { session, state } of await openTargetSessions(options)) {
    // a release that logs its own key must not have it printed here (`secrets: host`: its host redacts them)
    scrub ??= await secretsScrub(options, session.target.secrets);
    const colors = COLORS.filter((c) => state.colors[c] && (!options.color || options.color === c));
    const logs = [];
    for (const color of colors)
      logs.push({
        color,
        release: state.colors[color]!.release,
        text: scrub(await session.runner.logTail(color, options.lines)),
      });
    out.push({ host: session.host, logs });
  }
  return out;
}

/** How long `target logs` waits for the project's secret sources before showing the lines without their redaction. */
const LOG_SECRETS_DEADLINE_MS = 3_000;

/** Replaces the project's secrets as this machine resolves them (best effort, bounded); none with `secrets: host`. */
async function secretsScrub(options: OperateOptions, where: "deployer" | "host"): Promise<(text: string) => string> {
  const scrubber = new SecretScrubber();
  if (where === "deployer") {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), LOG_SECRETS_DEADLINE_MS);
    });
    const { workspace, environment, project, env } = options;
    const report = await Promise.race([
      resolveSecrets({ workspace, project, environment, env }).catch(() => undefined),
      late,
    ]).finally(() => clearTimeout(timer));
    for (const s of report?.secrets ?? [])
      if (s.secret) scrubber.add(s.secret.reveal(), `${s.name} from ${s.secret.source}`);
  }
  return (text) => scrubber.scrub(text);
}

export interface ProxyView {
  readonly host: string;
  readonly publicPort: number;
  readonly status: ProxyStatus | null;
}

/** The front proxy's own answer on each host (null when none answers). */
export async function targetProxy(options: OperateOptions): Promise<ProxyView[]> {
  const out: ProxyView[] = [];
  for (const { session } of await openTargetSessions(options))
    out.push({ host: session.host, publicPort: session.target.port, status: (await proxyStatusOf(session)) ?? null });
  return out;
}

async function proxyStatusOf(session: TargetSession): Promise<ProxyStatus | undefined> {
  return session.proxy.status().catch(() => undefined);
}

/** One project's target status in an environment, or why it could not be read. */
export type EnvironmentTargetStatus =
  | { readonly project: string; readonly views: readonly TargetStatusView[] }
  | { readonly project: string; readonly error: string };

/** The status of every project's target in an environment (or one project's); an unreachable target is named. */
export async function environmentTargetStatus(
  options: Omit<OperateOptions, "project"> & { readonly project?: string },
): Promise<EnvironmentTargetStatus[]> {
  const projects = options.project
    ? projectsWithTargets(options.workspace, options.environment).filter((p) => p === options.project)
    : projectsWithTargets(options.workspace, options.environment);
  const out: EnvironmentTargetStatus[] = [];
  for (const project of projects) {
    try {
      out.push({ project, views: await targetStatus({ ...options, project }) });
    } catch (error) {
      out.push({ project, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
