/**
 * `planRollback(request, members) → RollbackPlan`: pure, like the deploy's plan. From what each host of each member
 * serves, runs idle and keeps, it decides the release to return to (known-good, or named; a coupled member's from
 * the same deploy), the slots, warm or cold, the lease handoff, and the refusals. `rollback --dry-run` prints it.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { Refusal } from "./policy.js";
import { lastKnownGood } from "./records.js";
import { otherColor, type Slot, slotOf } from "./slots.js";
import type { Color, ReleaseRecord, ResolvedTarget } from "./types.js";

/** What one host of a member's target says, read under the lock (or without it, for a dry run). */
export interface RollbackHost {
  readonly host: string;
  /** what the front proxy routes to (the records' active colour where none answers) */
  readonly serving?: Slot;
  /** the release the idle colour still runs, when one does */
  readonly idle?: string;
  readonly releases: readonly ReleaseRecord[];
  /** a deploy left in progress there, which a real rollback recovers first (a dry run plans from what that leaves) */
  readonly recovery?: RecoveryForecast;
}

/** What a real rollback's recovery of a deploy left in progress on a host will do, told by a dry run. */
export interface RecoveryForecast {
  readonly project: string;
  readonly host: string;
  /** the deploy (or rollback) left in progress */
  readonly inProgress: {
    readonly id: string;
    readonly kind: "deploy" | "rollback";
    readonly step: string;
    readonly release: string;
    readonly color: Color;
  };
  readonly outcome: "rolled-back" | "interrupted";
  /** what the recovery does, in order */
  readonly actions: readonly string[];
  /** what only acting would tell; the plan assumes the outcome the actions state */
  readonly unknowns: readonly string[];
}

export interface RollbackMember {
  readonly project: string;
  readonly target: ResolvedTarget;
  readonly sendsOrders: boolean;
  readonly hosts: readonly RollbackHost[];
}

export interface RollbackRequest {
  /** the named project; its coupled members follow it */
  readonly project: string;
  readonly environment: EnvironmentName;
  /** a release id of the named project (default: its last known-good) */
  readonly to?: string;
  readonly reason?: string;
  readonly now: Date;
  readonly nonce: string;
  readonly healthLevel: 1 | 2 | 3;
}

/** One host's move: traffic (and the lease) from a slot to another. */
export interface RollbackMove {
  readonly project: string;
  readonly host: string;
  readonly from: Slot;
  readonly to: Slot;
  /** the release still runs in the idle colour: the switch is instant */
  readonly warm: boolean;
  readonly handoff: "file lease" | "postgres lease" | "none";
  readonly commit: string;
  readonly artifactHash: string;
  readonly reason: string;
}

/** What the plan says besides its moves: a member left as it is (warn), a recovery first (info). */
export interface RollbackNote {
  readonly level: "info" | "warn";
  readonly message: string;
}

export interface RollbackPlan {
  readonly kind: "rollback";
  readonly id: string;
  readonly environment: EnvironmentName;
  readonly project: string;
  readonly members: readonly string[];
  readonly healthLevel: 1 | 2 | 3;
  readonly moves: readonly RollbackMove[];
  readonly notes: readonly RollbackNote[];
  /** the recoveries a real rollback runs first (dry run; absent when no deploy was left in progress) */
  readonly recoveries?: readonly RecoveryForecast[];
  readonly refusal?: Refusal;
}

/** Plans a rollback. Pure: `members` is the named project first, then its coupled members with a target. */
export function planRollback(request: RollbackRequest, members: readonly RollbackMember[]): RollbackPlan {
  const moves: RollbackMove[] = [];
  const notes: RollbackNote[] = [];
  const recoveries = members.flatMap((m) => m.hosts.flatMap((h) => (h.recovery ? [h.recovery] : [])));
  const base = {
    kind: "rollback" as const,
    id: `${request.now.toISOString().replace(/[-:.]/g, "").slice(0, 15)}Z-rollback-${request.nonce}`,
    environment: request.environment,
    project: request.project,
    members: members.map((m) => m.project),
    healthLevel: request.healthLevel,
    ...(recoveries.length ? { recoveries } : {}),
  };
  const [named, ...peers] = members;
  for (const r of recoveries)
    for (const unknown of r.unknowns) notes.push({ level: "warn", message: `${r.project} on ${r.host}: ${unknown}` });
  let chosen: ReleaseRecord | undefined;
  for (const h of named?.hosts ?? []) {
    const refusal = namedRefusal(request, named!.project, h);
    if (refusal) return { ...base, moves: [], notes, refusal };
    const release = pick(request, h)!;
    chosen ??= release;
    // named with --release although it failed here (never a default destination): said, not refused
    if (request.to && release.status === "failed")
      notes.push({
        level: "warn",
        message: `${named!.project} on ${h.host}: ${release.id} failed here (${release.reason ?? "no reason recorded"}); it starts again because --release names it`,
      });
    moves.push(move(named!, h, release, request.reason ?? "manual rollback"));
  }
  for (const peer of peers) {
    for (const h of peer.hosts) {
      const match = h.releases.find((r) => r.deployId === chosen?.deployId && r.status !== "pruned");
      if (!match || !h.serving || match.id === h.serving.release) {
        notes.push(
          !match
            ? {
                level: "warn",
                message: `${peer.project} on ${h.host} has no release from the deploy of ${chosen?.id}; it stays as it is`,
              }
            : h.serving
              ? {
                  level: "info",
                  message: `${peer.project} on ${h.host} already runs ${match.id}, from the same deploy as ${chosen?.id}`,
                }
              : { level: "warn", message: `nothing of ${peer.project} serves on ${h.host}; it stays as it is` },
        );
        continue;
      }
      moves.push(move(peer, h, match, request.reason ?? `rolled back with ${request.project}`));
    }
  }
  return { ...base, moves, notes };
}

function pick(request: RollbackRequest, h: RollbackHost): ReleaseRecord | undefined {
  return request.to ? h.releases.find((r) => r.id === request.to) : lastKnownGood(h.releases, h.serving?.release);
}

function namedRefusal(request: RollbackRequest, project: string, h: RollbackHost): Refusal | undefined {
  const refusal = refusalOf(request, project, h);
  const r = h.recovery;
  if (!refusal || !r) return refusal;
  const first = `A rollback first recovers the ${r.inProgress.kind} ${r.inProgress.id} left in progress there (${r.actions.join("; ")}), then refuses so.`;
  return { ...refusal, hint: `${first} ${refusal.hint}` };
}

function refusalOf(request: RollbackRequest, project: string, h: RollbackHost): Refusal | undefined {
  const env = request.environment;
  if (!h.serving)
    return {
      code: "TRO_ERR_USAGE",
      message: `Nothing of ${project} serves in ${env} on ${h.host}, so there is nothing to roll back.`,
      hint: `Deploy it: tradeops deploy ${project} to ${env}.`,
    };
  const release = pick(request, h);
  if (!release || release.status === "pruned") {
    const known = h.releases.filter((r) => r.status !== "pruned").map((r) => `${r.id}${r.goodAt ? " (good)" : ""}`);
    return {
      code: "TRO_ERR_USAGE",
      message: request.to
        ? `Release ${request.to} of ${project} is not on ${h.host}${release ? " any more (pruned)" : ""}.`
        : `${project} has no known-good release other than ${h.serving.release} on ${h.host}.`,
      hint: known.length ? `Releases there: ${known.join(", ")}.` : "No release is kept there.",
    };
  }
  if (release.id === h.serving.release)
    return {
      code: "TRO_ERR_USAGE",
      message: `${release.id} already serves ${project} in ${env}.`,
      hint: "`tradeops releases` lists the others.",
    };
  return undefined;
}

function move(member: RollbackMember, h: RollbackHost, release: ReleaseRecord, reason: string): RollbackMove {
  const from = h.serving!;
  const to = slotOf(member.target, otherColor(from.color), release.id);
  return {
    project: member.project,
    host: h.host,
    from,
    to,
    warm: h.idle === release.id,
    handoff: member.sendsOrders ? (member.target.lease === "postgres" ? "postgres lease" : "file lease") : "none",
    commit: release.commit,
    artifactHash: release.artifactHash,
    reason,
  };
}
