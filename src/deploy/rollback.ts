/**
 * `tradeops rollback`: back to the last known-good release (one that passed gate 11 — not merely the previous one),
 * or to a named release still on the target. Instant when that release still runs warm in the other colour;
 * otherwise it starts there, passes health, and takes the traffic (and the lease) over. Locked and recorded like a
 * deploy.
 */

import { randomBytes } from "node:crypto";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Executor } from "../exec/command.js";
import type { HealthLevel } from "../health/probe.js";
import { workspaceIdOf } from "../workspace/identity.js";
import { requireProject } from "../workspace/lookup.js";
import type { Workspace } from "../workspace/types.js";
import { START_TIMEOUT_MS } from "./constants.js";
import { type EventSink, step } from "./events.js";
import { describeProbe, isFullyHealthy } from "./gates/context.js";
import { postgresLeaseLocation } from "./lease-driver.js";
import { type LockOwner, processStart } from "./lock.js";
import { policyOf } from "./policy.js";
import { lastKnownGood } from "./records.js";
import { recoverTarget } from "./recover.js";
import { chooseRunner, recordRunner } from "./runner-choice.js";
import { openSession } from "./session.js";
import { isWarm, otherColor, slotOf } from "./slots.js";
import { returnTo, type Slot } from "./switch.js";
import { requireTarget } from "./targets.js";
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
}

/**
 * Rolls a project back on every host of its target.
 * @throws TroError TRO_ERR_USAGE (no such release, nothing to return to), TRO_ERR_LOCK_HELD, TRO_ERR_DEPLOY_FAILED
 */
export async function rollbackProject(options: RollbackOptions): Promise<DeployRecord[]> {
  const project = requireProject(options.workspace, options.project);
  const target = requireTarget(options.workspace, options.environment, project.name);
  const level = policyOf(options.workspace, options.environment).healthLevel as HealthLevel;
  const timeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  const records: DeployRecord[] = [];
  for (const host of target.hosts) {
    const choice = await chooseRunner(options.executorFor(host), target.path, options.runner);
    const session = openSession({
      project,
      target,
      host,
      executor: options.executorFor(host),
      hostname: options.hostname,
      runner: choice.kind,
      previousRunner: choice.recorded,
      tradeops: options.tradeops,
      workspaceId: workspaceIdOf(options.workspace),
      ...(project.sendsOrders && target.lease === "postgres"
        ? { postgresLease: postgresLeaseLocation(options.workspace, options.environment, options.env ?? process.env) }
        : {}),
    });
    const id = `${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}Z-rollback-${randomBytes(2).toString("hex")}`;
    const owner: LockOwner = {
      id,
      who: options.who,
      host: options.hostname,
      pid: process.pid,
      pidStart: processStart(process.pid),
      command: options.command,
      project: project.name,
      environment: options.environment,
      startedAt: new Date().toISOString(),
      heartbeatAt: new Date().toISOString(),
    };
    await session.lock.acquire(owner);
    try {
      const runnerNote = await recordRunner(session.records, choice);
      if (runnerNote)
        options.onEvent?.({ type: "note", level: "info", message: `${project.name} on ${host}: ${runnerNote}` });
      await recoverTarget(session, { level, timeoutMs, who: options.who, reason: "found a deploy left in progress" });
      const state = await session.records.readState();
      const route = (await session.proxy.status())?.route;
      const current = route ?? (state.active ? { color: state.active, ...state.colors[state.active]! } : undefined);
      if (!current) {
        throw new TroError(
          "TRO_ERR_USAGE",
          `Nothing of ${project.name} serves in ${options.environment} on ${host}, so there is nothing to roll back.`,
          {
            hint: `Deploy it: tradeops deploy ${project.name} to ${options.environment}.`,
          },
        );
      }
      const releases = await session.records.readReleases();
      const chosen = options.to ? releases.find((r) => r.id === options.to) : lastKnownGood(releases, current.release);
      if (!chosen || chosen.status === "pruned") {
        const known = releases.filter((r) => r.status !== "pruned").map((r) => `${r.id}${r.goodAt ? " (good)" : ""}`);
        throw new TroError(
          "TRO_ERR_USAGE",
          options.to
            ? `Release ${options.to} of ${project.name} is not on ${host}${chosen ? " any more (pruned)" : ""}.`
            : `${project.name} has no known-good release other than ${current.release} on ${host}.`,
          { hint: known.length ? `Releases there: ${known.join(", ")}.` : "No release is kept there." },
        );
      }
      if (chosen.id === current.release) {
        throw new TroError("TRO_ERR_USAGE", `${chosen.id} already serves ${project.name} in ${options.environment}.`, {
          hint: "`tradeops releases` lists the others.",
        });
      }
      const started = Date.now();
      const from: Slot = { color: current.color, release: current.release, port: current.port };
      const to = slotOf(target, otherColor(from.color), chosen.id);
      const warm = await isWarm(session, to);
      const toColor = to.color;
      state.inProgress = {
        id,
        kind: "rollback",
        release: chosen.id,
        color: toColor,
        previousActive: from.color,
        previousRelease: from.release,
        step: "switch",
        startedAt: owner.startedAt,
        who: options.who,
      };
      await session.records.writeState(state);
      const where = { project: project.name, host };
      const back = await step(
        options.onEvent,
        where,
        "rollback",
        () => returnTo(session, from, to, { level, timeoutMs }),
        (b) => `${from.release} → ${chosen.id} on ${b.slot.color}${b.warm ? " (warm, instant)" : " (started cold)"}`,
        session.clock,
      );
      const probe = await step(
        options.onEvent,
        where,
        "verify",
        async () => {
          const p =
            target.style === "worker"
              ? await probeWorkerOn(session, back.slot.color)
              : await session.probePublic(level);
          if (!isFullyHealthy(p))
            throw new TroError(
              "TRO_ERR_HEALTH_FAILED",
              `${chosen.id} is not healthy after the rollback: ${describeProbe(p).join("; ")}`,
            );
          return p;
        },
        (p) => `level ${level} ${p.passing}/${p.total}`,
        session.clock,
      ).catch((error: Error) => error);
      const now = new Date().toISOString();
      for (const r of releases) {
        if (r.id === chosen.id) {
          r.status = "active";
          r.color = back.slot.color;
        } else if (r.id === from.release) {
          r.status = "inactive";
          r.reason = `rolled back from: ${options.reason ?? "manual rollback"}`;
        }
      }
      await session.records.writeReleases(releases);
      const fresh = await session.records.readState();
      fresh.active = back.slot.color;
      delete fresh.colors[from.color];
      fresh.colors[back.slot.color] = { release: chosen.id, port: back.slot.port, startedAt: now, orders: true };
      fresh.inProgress = undefined;
      await session.records.writeState(fresh);
      const healthy = !(probe instanceof Error);
      const record: DeployRecord = {
        id,
        kind: "rollback",
        project: project.name,
        environment: options.environment,
        host,
        release: chosen.id,
        previous: from.release,
        commit: chosen.commit,
        artifactHash: chosen.artifactHash,
        who: options.who,
        startedAt: new Date(started).toISOString(),
        finishedAt: now,
        durationMs: Date.now() - started,
        gates: [],
        steps: [
          { step: "rollback", status: "pass", durationMs: Date.now() - started, detail: warm ? "warm" : "cold start" },
        ],
        health: {
          level,
          verdict: healthy ? "healthy" : "unhealthy",
          detail: healthy ? `${probe.passing}/${probe.total}` : probe.message,
        },
        outcome: healthy ? "succeeded" : "failed",
        rollbackReason: options.reason ?? "manual rollback",
        orderGapMs: back.orderGapMs,
        color: back.slot.color,
      };
      await session.records.appendHistory(record);
      records.push(record);
      if (!healthy) throw probe;
    } finally {
      await session.lock.release(owner).catch(() => undefined);
      await session.lease?.close?.().catch(() => undefined);
    }
  }
  return records;
}
