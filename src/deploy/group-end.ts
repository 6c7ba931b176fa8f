/**
 * The end of a group's deploy: every member rolled back (the new release stopped, or the traffic and the lease
 * returned to the release it replaced), or every member finished (known-good, old colour stopped, old releases
 * pruned). Either way each member's record is closed into the target's history.
 */
import { isoNow } from "./clock.js";
import { STOP_GRACE_SECONDS } from "./constants.js";
import { step } from "./events.js";
import { closeRecord, type GroupOptions, type Member, setState, timed } from "./member.js";
import { pruneReleases } from "./prune.js";
import { returnTo } from "./switch.js";

/** Rolls every member back, the last switched first. */
export async function rollBackAll(members: readonly Member[], reason: string, options: GroupOptions): Promise<void> {
  for (const member of [...members].reverse()) {
    const { session, planned } = member;
    const where = { project: planned.project, host: session.host };
    if (member.switched?.from) {
      const { from, to } = member.switched;
      const ok = await step(
        options.emit,
        where,
        "rollback",
        async () => {
          const back = await returnTo(session, to, from, { level: options.level, timeoutMs: options.startTimeoutMs });
          await setState(member, (s) => {
            s.active = back.slot.color;
            delete s.colors[to.color];
            s.colors[back.slot.color] = {
              release: from.release,
              port: back.slot.port,
              startedAt: isoNow(session.clock),
              orders: true,
            };
          });
          if (back.orderGapMs !== undefined) member.record.orderGapMs = back.orderGapMs;
          return back;
        },
        (b) => `traffic back on ${from.release} (${b.slot.color}${b.warm ? ", warm" : ", restarted"})`,
        session.clock,
      )
        .then(() => true)
        .catch((error) => {
          member.record.reason = String((error as Error)?.message ?? error);
          return false;
        });
      member.record.outcome = ok ? "rolled-back" : "failed";
    } else {
      // never switched (or a first deploy, with nothing to return to): the new release just stops
      if (member.slot) await session.runner.stop(member.slot.color, STOP_GRACE_SECONDS);
      member.record.outcome = "failed";
    }
    member.record.rollbackReason = reason;
    await session.records.updateRelease(planned.release, (r) => {
      r.status = "failed";
      r.reason = reason;
    });
    await setState(member, (s) => {
      const color = member.slot?.color;
      if (color && (s.active !== color || !member.switched?.from)) delete s.colors[color];
      if (member.switched && !member.switched.from) s.active = undefined;
      s.inProgress = undefined;
    });
    await closeRecord(member);
  }
}

/** Finishes a member that passed gate 11. */
export async function finishMember(member: Member, options: GroupOptions): Promise<void> {
  const { session, planned } = member;
  const to = member.switched!.to;
  await timed(
    member,
    "finish",
    options,
    async () => {
      const from = member.switched!.from;
      await session.proxy.confirm(to.release);
      if (from && !session.lease) await session.runner.stop(from.color, STOP_GRACE_SECONDS);
      const now = isoNow(session.clock);
      const releases = await session.records.readReleases();
      for (const r of releases) {
        if (r.id === planned.release) {
          r.status = "active";
          r.color = to.color;
          if (!options.skipMonitor) r.goodAt = now;
        } else if (r.status === "active" || r.status === "started") r.status = "inactive";
      }
      await session.records.writeReleases(releases);
      await setState(member, (s) => {
        if (from && from.color !== to.color) delete s.colors[from.color];
        s.active = to.color;
        s.inProgress = undefined;
      });
      return pruneReleases(session);
    },
    (pruned) => (pruned.length ? `pruned ${pruned.join(", ")}` : undefined),
  );
  member.record.outcome = "succeeded";
  await closeRecord(member);
}
