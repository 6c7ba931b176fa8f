/**
 * `tradeops rollback`: gather what each host serves → `planRollback` → apply the plan's moves under the same locks,
 * heartbeat and records as a deploy. Back to the last known-good release (one that passed gate 11), or a named one;
 * coupled members come back to their release from the same deploy. Instant when the release still runs warm in the
 * idle colour; otherwise it starts there, passes health, and takes the traffic (and the lease) over.
 */
import { randomBytes } from "node:crypto";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Executor } from "../exec/command.js";
import type { HealthLevel } from "../health/probe.js";
import { requireProject } from "../workspace/lookup.js";
import type { Workspace } from "../workspace/types.js";
import { coupledGroup } from "./changes.js";
import { type DeployClock, isoNow, systemClock } from "./clock.js";
import { START_TIMEOUT_MS } from "./constants.js";
import { type EventSink, step } from "./events.js";
import { describeProbe, isFullyHealthy } from "./gates/context.js";
import { ensureHostSecrets } from "./host-secrets.js";
import { abortReason, holdLocks, lockOwner } from "./lock-hold.js";
import { type OpenedHost, openHosts } from "./open-hosts.js";
import { policyOf, refusalError } from "./policy.js";
import { recoverTarget } from "./recover.js";
import { forecastHost, observeHost } from "./rollback-observe.js";
import { planRollback, type RollbackMember, type RollbackMove, type RollbackPlan } from "./rollback-plan.js";
import { recordRunner } from "./runner-choice.js";
import type { TargetSession } from "./session.js";
import { routedSlot } from "./slots.js";
import { returnTo } from "./switch.js";
import { findTarget, requireTarget } from "./targets.js";
import type { DeployRecord } from "./types.js";
import { probeWorkerOn } from "./worker-health.js";

export interface RollbackOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly project: string;
  /** a release id (default: the last known-good one) */
  readonly to?: string;
  readonly reason?: string;
  readonly who: string;
  readonly hostname: string;
  readonly command: string;
  readonly executorFor: (host: string) => Executor;
  readonly runner?: "direct" | "supervisor";
  readonly tradeops?: readonly string[];
  readonly startTimeoutMs?: number;
  readonly onEvent?: EventSink;
  /** the variables a `postgres:${VAR}` signal store expands (default: this process's) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** plan only, reading: no lock, nothing moved; a deploy left in progress is planned past as its recovery leaves it */
  readonly dryRun?: boolean;
  /** the named project alone, without its coupled members */
  readonly alone?: boolean;
  readonly clock?: DeployClock;
  /** the session of a host (default: opened over `executorFor`, with the runner recorded there) */
  readonly sessionFor?: (project: string, host: string) => TargetSession;
}

export interface RollbackResult {
  readonly plan: RollbackPlan;
  readonly records: readonly DeployRecord[];
}

/**
 * Plans a rollback and, unless a dry run, applies it.
 * @throws TroError TRO_ERR_USAGE (no such release, nothing to return to), TRO_ERR_LOCK_HELD, TRO_ERR_DEPLOY_FAILED
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const clock = options.clock ?? systemClock;
  const named = requireProject(options.workspace, options.project).name;
  requireTarget(options.workspace, options.environment, named);
  const projects = options.alone
    ? [named]
    : [named, ...coupledGroup(options.workspace, named).filter((p) => p !== named)].filter((p) =>
        findTarget(options.workspace, options.environment, p),
      );
  const opened: OpenedHost[] = [];
  const hostsOptions = { ...options, env: options.env ?? process.env, clock };
  for (const name of projects) {
    const target = requireTarget(options.workspace, options.environment, name);
    const given = options.sessionFor && target.hosts.map((h) => options.sessionFor!(name, h));
    opened.push(
      ...(given
        ? given.map((session) => ({ session, choice: { kind: session.runner.kind } }))
        : await openHosts(hostsOptions, target)),
    );
  }
  const plan = async () => {
    const members: RollbackMember[] = [];
    for (const name of projects) {
      const hosts = opened.filter((o) => o.session.project.name === name);
      members.push({
        project: name,
        target: hosts[0]!.session.target,
        sendsOrders: hosts[0]!.session.project.sendsOrders,
        hosts: await Promise.all(hosts.map((o) => (options.dryRun ? forecastHost : observeHost)(o.session))),
      });
    }
    const request = {
      project: named,
      environment: options.environment,
      to: options.to,
      reason: options.reason,
      now: new Date(clock.now()),
      nonce: randomBytes(2).toString("hex"),
      healthLevel: policyOf(options.workspace, options.environment).healthLevel,
    };
    return planRollback(request, members);
  };
  const sessions = opened.map((o) => o.session);
  try {
    // every host that must start its release cold answers for its secrets (`secrets: host`) before any host moves
    const ensureSecrets = async (moves: readonly RollbackMove[]) => {
      for (const m of moves) if (!m.warm) await ensureHostSecrets(sessionOf(sessions, m), m.to.release);
    };
    if (options.dryRun) {
      const dry = await plan();
      if (dry.refusal) throw refusalError(dry.refusal);
      await ensureSecrets(dry.moves);
      return { plan: dry, records: [] };
    }
    const owner = lockOwner(clock, {
      id: "rollback",
      who: options.who,
      host: options.hostname,
      command: options.command,
      project: projects.join(","),
      environment: options.environment,
    });
    const hold = await holdLocks(sessions, owner, { clock, emit: options.onEvent });
    try {
      const level = policyOf(options.workspace, options.environment).healthLevel as HealthLevel;
      const timeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
      for (const { session, choice } of opened) {
        const note = await recordRunner(session.records, choice);
        if (note)
          options.onEvent?.({
            type: "note",
            level: "info",
            message: `${session.project.name} on ${session.host}: ${note}`,
          });
        const reason = "found a deploy left in progress";
        const recovered = await recoverTarget(session, { level, timeoutMs, who: options.who, reason });
        if (recovered)
          options.onEvent?.({
            type: "note",
            level: "warn",
            message: `recovered ${session.project.name} on ${session.host}: ${recovered.reason}`,
          });
      }
      const planned = await plan();
      if (planned.refusal) throw refusalError(planned.refusal);
      await ensureSecrets(planned.moves);
      for (const note of planned.notes) options.onEvent?.({ type: "note", ...note });
      const records: DeployRecord[] = [];
      for (const m of planned.moves) {
        if (hold.lost.aborted)
          throw new TroError("TRO_ERR_DEPLOY_FAILED", `The rollback stopped: ${abortReason(hold.lost)}.`, {
            hint: "`tradeops history` has what was done; `tradeops lock status` says who holds the lock.",
          });
        const session = sessionOf(sessions, m);
        records.push(await applyMove(session, m, planned, { ...options, level, timeoutMs }));
      }
      return { plan: planned, records };
    } finally {
      await hold.release();
    }
  } finally {
    for (const s of sessions) await s.lease?.close?.().catch(() => undefined);
  }
}

/** The session of a move's host. */
function sessionOf(sessions: readonly TargetSession[], m: RollbackMove): TargetSession {
  return sessions.find((s) => s.project.name === m.project && s.host === m.host)!;
}

/** Rolls a project alone back (the console's rollback); the records of each host. */
export async function rollbackProject(options: RollbackOptions): Promise<DeployRecord[]> {
  return [...(await rollback({ ...options, alone: true })).records];
}

/** One host's move: recorded in progress, traffic returned, health verified, records and history written. */
async function applyMove(
  session: TargetSession,
  m: RollbackMove,
  plan: RollbackPlan,
  o: RollbackOptions & { readonly level: HealthLevel; readonly timeoutMs: number },
): Promise<DeployRecord> {
  const { clock } = session;
  const started = clock.now();
  const state = await session.records.readState();
  state.inProgress = {
    id: plan.id,
    kind: "rollback",
    release: m.to.release,
    color: m.to.color,
    previousActive: m.from.color,
    previousRelease: m.from.release,
    step: "switch",
    startedAt: isoNow(clock),
    who: o.who,
  };
  await session.records.writeState(state);
  const where = { project: m.project, host: m.host };
  const record = (fields: Partial<DeployRecord>): DeployRecord => ({
    id: plan.id,
    kind: "rollback",
    project: m.project,
    environment: plan.environment,
    host: m.host,
    release: m.to.release,
    previous: m.from.release,
    commit: m.commit,
    artifactHash: m.artifactHash,
    who: o.who,
    startedAt: new Date(started).toISOString(),
    finishedAt: isoNow(clock),
    durationMs: clock.now() - started,
    gates: [],
    steps: [],
    rollbackReason: m.reason,
    ...fields,
  });
  const back = await step(
    o.onEvent,
    where,
    "rollback",
    () => returnTo(session, m.from, m.to, { level: o.level, timeoutMs: o.timeoutMs }),
    (b) => `${m.from.release} → ${m.to.release} on ${b.slot.color}${b.warm ? " (warm, instant)" : " (started cold)"}`,
    clock,
  ).catch(async (error: Error) => {
    // a return that failed (a cold release that did not start) is recorded; while the proxy still routes to what
    // served, nothing moved and nothing is left in progress (otherwise a recovery decides, as after a crash)
    if ((await routedSlot(session).catch(() => undefined))?.release === m.from.release) {
      const after = await session.records.readState();
      after.inProgress = undefined;
      await session.records.writeState(after);
    }
    const reason = error.message;
    const steps = [{ step: "rollback", status: "fail" as const, durationMs: clock.now() - started, detail: reason }];
    await session.records.appendHistory(record({ steps, outcome: "failed", reason }));
    throw error;
  });
  const probe = await step(
    o.onEvent,
    where,
    "verify",
    async () => {
      const p =
        session.target.style === "worker"
          ? await probeWorkerOn(session, back.slot.color)
          : await session.probePublic(o.level);
      if (!isFullyHealthy(p))
        throw new TroError(
          "TRO_ERR_HEALTH_FAILED",
          `${m.to.release} is not healthy after the rollback: ${describeProbe(p).join("; ")}`,
        );
      return p;
    },
    (p) => `level ${o.level} ${p.passing}/${p.total}`,
    clock,
  ).catch((error: Error) => error);
  const now = isoNow(clock);
  const releases = await session.records.readReleases();
  for (const r of releases) {
    if (r.id === m.to.release) {
      r.status = "active";
      r.color = back.slot.color;
    } else if (r.id === m.from.release) {
      r.status = "inactive";
      r.reason = `rolled back from: ${m.reason}`;
    }
  }
  await session.records.writeReleases(releases);
  const fresh = await session.records.readState();
  fresh.active = back.slot.color;
  delete fresh.colors[m.from.color];
  fresh.colors[back.slot.color] = { release: m.to.release, port: back.slot.port, startedAt: now, orders: true };
  fresh.inProgress = undefined;
  await session.records.writeState(fresh);
  const healthy = !(probe instanceof Error);
  const durationMs = clock.now() - started;
  const done = record({
    finishedAt: now,
    durationMs,
    steps: [{ step: "rollback", status: "pass", durationMs, detail: back.warm ? "warm" : "cold start" }],
    health: {
      level: o.level,
      verdict: healthy ? "healthy" : "unhealthy",
      detail: healthy ? `${probe.passing}/${probe.total}` : probe.message,
    },
    outcome: healthy ? "succeeded" : "failed",
    orderGapMs: back.orderGapMs,
    color: back.slot.color,
  });
  await session.records.appendHistory(done);
  if (!healthy) throw probe;
  return done;
}
