/**
 * One coupled group's deploy after the gates, on every host of every member, as a state table:
 *
 *   upload → secrets                                   (every member and host first; `secrets` with `secrets: host`)
 *   install → migrate → start → switch → handoff       (per member and host; `state.json` records the step)
 *   monitor                                                  (gate 11, all members at once)
 *   finish                                                   (known-good, old colour stopped, old releases pruned)
 *
 * Any failure rolls every member back: one that never switched just stops its new release; one that switched
 * returns traffic (and the lease) to the release it replaced. The deploy then fails (TRO_ERR_DEPLOY_FAILED).
 */
import { type ErrorCode, isTroError, TroError } from "../errors.js";
import { isoNow } from "./clock.js";
import { SWITCH_GUARD_MS } from "./constants.js";
import { finishMember, rollBackAll } from "./group-end.js";
import { checkHostSecrets, isHostSecrets } from "./host-secrets.js";
import { type GroupOptions, type Member, setState, timed } from "./member.js";
import { monitorWindow } from "./monitor.js";
import { switchPortless } from "./portless-switch.js";
import { changedKeys } from "./prepare.js";
import { deploySlots, type Slot, servingSlot } from "./slots.js";
import { handoffOrders, startVerified, switchTraffic } from "./switch.js";
import type { GateResult, ReleaseRecord } from "./types.js";
import { runReleaseCommand, uploadRelease } from "./upload.js";

export type { GroupOptions, Member } from "./member.js";

const SECRET_CODES = new Set<ErrorCode>(["TRO_ERR_SECRET_UNRESOLVED", "TRO_ERR_SECRET_PROVIDER"]);

/** Deploys a group; resolves when every member passed gate 11, throws after rolling back otherwise. */
export async function deployGroup(members: readonly Member[], options: GroupOptions): Promise<GateResult> {
  let failure: { member?: Member; reason: string; error?: unknown } | undefined;
  // every host of every member has the release (and, with `secrets: host`, has answered for its secrets) before
  // any of them starts it: a host that cannot run it fails the deploy while nothing anywhere has moved
  const staged = new Map<Member, Slot | undefined>();
  for (const [phase, member] of [
    ...members.map((m) => ["stage", m] as const),
    ...members.map((m) => ["switch", m] as const),
  ]) {
    try {
      if (phase === "stage") staged.set(member, await stageMember(member, options));
      else await switchMember(member, staged.get(member), options);
    } catch (error) {
      failure = { member, reason: String((error as Error)?.message ?? error), error };
      break;
    }
  }
  const gate11 = failure ? undefined : await monitorGate(members, options);
  if (gate11?.status === "fail") failure = { reason: gate11.reason };
  if (failure) {
    const reason = failure.member
      ? `${failure.member.planned.project} on ${failure.member.session.host}: ${failure.reason}`
      : failure.reason;
    const switched = members.some((m) => m.switched);
    await rollBackAll(members, reason, options);
    const names = members.map((m) => m.planned.project).join(", ");
    // a secret the host cannot resolve keeps its own exit status (78 missing, 69 provider failed): nothing ran
    const code =
      !switched && isTroError(failure.error) && SECRET_CODES.has(failure.error.code)
        ? failure.error.code
        : "TRO_ERR_DEPLOY_FAILED";
    throw new TroError(
      code,
      switched
        ? `The deploy of ${names} failed and was rolled back: ${reason}`
        : `The deploy of ${names} failed before the switch (traffic never moved): ${reason}`,
      { hint: "The previous release serves as before; `tradeops history` has the record of each step." },
    );
  }
  for (const member of members) await finishMember(member, options);
  return gate11!;
}

/** Places the release on the member's host (upload; `secrets` with `secrets: host`); returns what serves there. */
async function stageMember(member: Member, options: GroupOptions): Promise<Slot | undefined> {
  const { planned, session } = member;
  const { from, to: slot } = await hostSlots(member, options);
  member.slot = slot;
  const previous = from ? (await session.records.readReleases()).find((r) => r.id === from.release) : undefined;
  member.record.configKeysChanged = changedKeys(previous?.configDigest, member.configDigest);
  await setState(member, (s) => {
    s.inProgress = {
      id: member.record.id,
      kind: "deploy",
      release: planned.release,
      color: slot.color,
      previousActive: from?.color,
      previousRelease: from?.release,
      step: "upload",
      startedAt: member.record.startedAt,
      who: member.record.who,
    };
  });
  await timed(
    member,
    "upload",
    options,
    async () => {
      await uploadRelease(session, planned.release, member.artifact.tarball, member.artifact.manifest, member.envFile);
      const record: ReleaseRecord = {
        id: planned.release,
        project: planned.project,
        commit: member.record.commit,
        dirty: planned.release.includes("-dirty"),
        artifactHash: member.artifact.manifest.hash,
        files: member.artifact.manifest.files.length,
        createdAt: isoNow(session.clock),
        deployId: member.record.id,
        status: "uploaded",
        color: slot.color,
        configDigest: member.configDigest,
        configHash: member.configHash,
      };
      const all = (await session.records.readReleases()).filter((r) => r.id !== record.id);
      await session.records.writeReleases([...all, record]);
    },
    () => `${member.artifact.manifest.files.length} files, sha256 ${member.artifact.manifest.hash.slice(0, 12)}`,
  );
  // `secrets: host`: the host answers for the release's secrets before anything of it runs (names, never values)
  if (isHostSecrets(session.target))
    await timed(
      member,
      "secrets",
      options,
      () => checkHostSecrets(session, planned.release),
      (summary) => summary,
    );
  return from;
}

/** Install, migrate, start, switch (and the lease's handoff) of a staged member. */
async function switchMember(member: Member, from: Slot | undefined, options: GroupOptions): Promise<void> {
  const { planned, session } = member;
  const slot = member.slot!;
  if (session.project.commands.install)
    await timed(member, "install", options, () => runReleaseCommand(session, planned.release, "install"));
  if (session.project.commands.migrate)
    await timed(member, "migrate", options, () => runReleaseCommand(session, planned.release, "migrate"));
  if (session.target.style) return switchPortless(member, from, options);
  await timed(
    member,
    "start",
    options,
    async () => {
      const wait = await startVerified(session, slot, {
        orders: !session.lease,
        level: options.level,
        timeoutMs: options.startTimeoutMs,
        signal: options.signal,
      });
      if (!wait.ok) throw new TroError("TRO_ERR_HEALTH_FAILED", wait.reason);
      await session.records.updateRelease(planned.release, (r) => {
        r.status = "started";
      });
      await setState(member, (s) => {
        s.colors[slot.color] = {
          release: slot.release,
          port: slot.port,
          startedAt: isoNow(session.clock),
          orders: !session.lease,
        };
      });
      return wait.probe;
    },
    (p) => `${slot.color} on port ${slot.port}, level ${options.level} ${p.passing}/${p.total}`,
  );
  await timed(
    member,
    "switch",
    options,
    async () => {
      // guarded until gate 11 passes: a deploy dying after the switch leaves traffic on the warm old colour
      const result = await switchTraffic(session, slot, session.lease ? undefined : SWITCH_GUARD_MS);
      member.switched = { from, to: slot };
      await setState(member, (s) => {
        s.active = slot.color;
      });
      return result;
    },
    (r) =>
      `port ${session.target.port} → ${slot.color}${r.previous ? `, ${r.previous.color} ${r.drained ? "drained" : "still had requests in flight"}` : ""}`,
  );
  if (session.lease) {
    member.record.orderGapMs = await timed(
      member,
      "handoff",
      options,
      async () => {
        const gap = await handoffOrders(session, from, slot);
        if (from) await setState(member, (s) => void delete s.colors[from.color]);
        return gap;
      },
      (gap) =>
        `${from ? `${from.release} stopped sending and exited; ` : ""}${slot.release} holds the lease; gap ${gap} ms`,
    );
  }
}

/**
 * The plan's slots for this host, checked against what serves now (the lock is held: nothing else moves it). They
 * differ only when the target changed between the plan and the lock — a recovery of a dead deploy, or a process that
 * exited — and then the same rule (slots.ts) places the release again, and says so.
 */
async function hostSlots(member: Member, options: GroupOptions): Promise<{ from?: Slot; to: Slot }> {
  const { planned, session } = member;
  const serving = await servingSlot(session);
  const slots = deploySlots(session.target, planned.release, serving);
  const plannedFrom = planned.active?.release;
  if (slots.to.color !== planned.color || serving?.release !== plannedFrom)
    options.emit?.({
      type: "note",
      level: "info",
      message: `${planned.project} on ${session.host}: ${serving ? `${serving.release} serves on ${serving.color}` : "nothing serves"} (the plan saw ${plannedFrom ?? "nothing"}); ${planned.release} goes to ${slots.to.color}`,
    });
  return slots;
}

async function monitorGate(members: readonly Member[], options: GroupOptions): Promise<GateResult> {
  const clock = members[0]!.session.clock;
  const started = clock.now();
  const base = { gate: 11 as const, name: "health after the switch" };
  if (options.skipMonitor)
    return {
      ...base,
      status: "skip",
      reason: `skipped by the operator: ${options.skipMonitor}`,
      skippedBy: options.skipMonitor,
      durationMs: 0,
    };
  options.emit?.({ type: "gate-start", gate: 11, name: base.name });
  for (const m of members)
    await setState(m, (s) => {
      if (s.inProgress) s.inProgress.step = "monitor";
    });
  const verdict = await monitorWindow(
    members.map((m) => m.session),
    options.level,
    options.monitorSeconds,
    clock,
    options.signal,
  );
  const result: GateResult = {
    ...base,
    status: verdict.ok ? "pass" : "fail",
    reason: verdict.reason,
    durationMs: clock.now() - started,
  };
  options.emit?.({ type: "gate-end", result });
  for (const m of members) {
    m.record.gates.push(result);
    m.record.health = { level: options.level, verdict: verdict.ok ? "healthy" : "unhealthy", detail: verdict.reason };
  }
  return result;
}
