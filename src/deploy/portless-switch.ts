/**
 * The deploy strategy of targets without a port (no front proxy, no public port), per kind:
 *
 *   worker that sends orders   fence the lease → stop old → start new (orders off) → checks pass → lease to new:
 *                              never two running, so never two sending
 *   worker that does not       start new → its checks pass (heartbeat, command, or alive) → stop old
 *   static frontend            `current` renamed to the new release directory (one rename: never a mix)
 *
 * Rollback and recovery run the same moves towards the older release. Health during the monitoring window is the
 * same worker check (or, for static files, `current` resolving to a whole release).
 */
import { TroError } from "../errors.js";
import type { HealthLevel, ProbeResult } from "../health/probe.js";
import { isoNow } from "./clock.js";
import { STOP_GRACE_SECONDS } from "./constants.js";
import { ensureHostSecrets } from "./host-secrets.js";
import { type GroupOptions, type Member, setState, timed } from "./member.js";
import type { TargetSession } from "./session.js";
import { otherColor, returnOutcome, returnSlot, runningRelease, type Slot } from "./slots.js";
import { currentIsWhole, currentRelease, switchCurrent } from "./static-release.js";
import type { Color } from "./types.js";
import { probeActiveWorker, targetNow, waitWorkerHealthy } from "./worker-health.js";

/** Health of a portless target at any level: the active worker's checks, or `current` resolving to a whole release. */
export async function probePortless(session: TargetSession, level: HealthLevel): Promise<ProbeResult> {
  if (session.target.style === "worker") return probeActiveWorker(session);
  const whole = await currentIsWhole(session);
  return {
    project: session.project.name,
    url: `${session.host}:${session.layout.base}/current`,
    level,
    status: whole.ok ? "healthy" : "unhealthy",
    passing: whole.ok ? 1 : 0,
    total: 1,
    checks: [
      {
        name: "current",
        level: 1,
        status: whole.ok ? "healthy" : "unhealthy",
        error_code: whole.ok ? null : "no_release",
      },
    ],
  };
}

/** Starts a worker in a slot and waits for its checks; stops it again on failure. */
async function startWorker(session: TargetSession, slot: Slot, timeoutMs: number, signal?: AbortSignal) {
  const since = await targetNow(session);
  await session.runner.start({
    color: slot.color,
    release: slot.release,
    releaseDir: session.layout.release(slot.release),
    workdir: session.layout.workdir(slot.release, session.project.path),
    port: 0,
    orders: !session.lease,
  });
  const wait = await waitWorkerHealthy(session, slot.color, slot.release, { since, timeoutMs, signal });
  if (!wait.ok) await session.runner.stop(slot.color, STOP_GRACE_SECONDS);
  return wait;
}

async function started(member: Member, slot: Slot): Promise<void> {
  await member.session.records.updateRelease(slot.release, (r) => {
    r.status = "started";
  });
  await setState(member, (s) => {
    s.colors[slot.color] = { release: slot.release, port: 0, startedAt: isoNow(member.session.clock), orders: true };
  });
}

async function switched(member: Member, from: Slot | undefined, slot: Slot): Promise<void> {
  member.switched = { from, to: slot };
  await setState(member, (s) => {
    s.active = slot.color;
    if (from && from.color !== slot.color) delete s.colors[from.color];
  });
}

/** The portless part of a member's deploy, after upload, install and migrate. */
export async function switchPortless(member: Member, from: Slot | undefined, options: GroupOptions): Promise<void> {
  const { session } = member;
  const slot = member.slot!;
  if (session.target.style === "static") {
    await timed(
      member,
      "switch",
      options,
      async () => {
        await switchCurrent(session, slot.release);
        await started(member, slot);
        await switched(member, from, slot);
      },
      () => `current → ${slot.release}${from ? ` (was ${from.release})` : ""}`,
    );
    return;
  }
  const start = async () => {
    const wait = await startWorker(session, slot, options.startTimeoutMs, options.signal);
    if (!wait.ok) throw new TroError("TRO_ERR_HEALTH_FAILED", wait.reason);
    await started(member, slot);
    return wait.probe;
  };
  const checks = (p: ProbeResult) =>
    `${slot.color}, ${p.checks.map((c) => c.name).join(" + ")} ${p.passing}/${p.total}`;
  if (session.lease) {
    const lease = session.lease;
    const fencedAt = session.clock.now();
    await timed(
      member,
      "handoff",
      options,
      async () => {
        await lease.fence();
        if (from) await session.runner.stop(from.color, STOP_GRACE_SECONDS);
        await switched(member, from, slot);
      },
      () => `${from ? `${from.release} stopped sending and exited` : "nothing ran before"}; the lease is fenced`,
    );
    await timed(member, "start", options, start, checks);
    await lease.transfer(slot.release);
    member.record.orderGapMs = session.clock.now() - fencedAt;
    return;
  }
  await timed(member, "start", options, start, checks);
  await timed(
    member,
    "switch",
    options,
    async () => {
      if (from) await session.runner.stop(from.color, STOP_GRACE_SECONDS);
      await switched(member, from, slot);
      // the replaced release may have touched a shared heartbeat file: the new one must touch it alone now
      if (!from || !session.project.health.heartbeatFile) return false;
      const since = await targetNow(session);
      const wait = await waitWorkerHealthy(session, slot.color, slot.release, {
        since,
        timeoutMs: options.startTimeoutMs,
        signal: options.signal,
      });
      if (!wait.ok) throw new TroError("TRO_ERR_HEALTH_FAILED", `after ${from.release} stopped: ${wait.reason}`);
      return true;
    },
    (alone) =>
      from
        ? `${from.release} stopped after ${slot.release} passed${alone ? `; the heartbeat comes from ${slot.release} alone` : ""}`
        : `${slot.release} runs`,
  );
}

/**
 * Returns a portless target from `from` to `to` (a rollback, a failed deploy, a recovery): `current` renamed back,
 * or the older worker started again — before `from` stops when it sends no orders, after when it does.
 * @throws TroError TRO_ERR_DEPLOY_FAILED when `to` cannot be started healthy again
 */
export async function returnPortless(
  session: TargetSession,
  from: Slot,
  to: Slot,
  options: { readonly timeoutMs: number },
): Promise<{ warm: boolean; slot: Slot; orderGapMs?: number }> {
  if (session.target.style === "static") {
    await switchCurrent(session, to.release);
    return { warm: true, slot: to };
  }
  const slot = returnSlot(session.target, from, to);
  const fail = (reason: string) =>
    new TroError("TRO_ERR_DEPLOY_FAILED", `Could not bring ${to.release} back: ${reason}.`, {
      hint: "Check the release's log on the target (`shared/logs/`), then deploy a fix or roll back to another release.",
    });
  const { warm } = returnOutcome(
    session.target,
    Boolean(session.lease),
    from,
    to,
    await runningRelease(session, to.color),
  );
  // before the order sender is fenced and stopped: a release that cannot start there must not leave nothing running
  if (!warm) await ensureHostSecrets(session, slot.release);
  if (session.lease) {
    const fencedAt = session.clock.now();
    await session.lease.fence();
    await session.runner.stop(from.color, STOP_GRACE_SECONDS);
    const wait = await startWorker(session, slot, options.timeoutMs);
    if (!wait.ok) throw fail(wait.reason);
    await session.lease.transfer(to.release);
    return { warm: false, slot, orderGapMs: session.clock.now() - fencedAt };
  }
  if (!warm) {
    const wait = await startWorker(session, slot, options.timeoutMs);
    if (!wait.ok) throw fail(`${wait.reason}; ${from.release} keeps running`);
  }
  await session.runner.stop(from.color, STOP_GRACE_SECONDS);
  return { warm, slot };
}

/**
 * For a recovery: what a portless target "routes to" after a deploy died — the release `current` points at, or the
 * worker that runs (the new one only when the old one no longer does). When neither runs but an old one did (an
 * order sender stopped before the new one started), the new one counts as having taken over, so that the recovery
 * starts the old one again and hands it the lease. Null when nothing serves and nothing did.
 */
export async function portlessRoute(
  session: TargetSession,
  inProgress: {
    readonly release: string;
    readonly color: Color;
    readonly previousActive?: Color;
    readonly previousRelease?: string;
  },
): Promise<{ color: Color; release: string } | null> {
  if (session.target.style === "static") {
    const release = await currentRelease(session);
    if (!release) return null;
    return release === inProgress.release
      ? { color: inProgress.color, release }
      : { color: inProgress.previousActive ?? otherColor(inProgress.color), release };
  }
  const previous = inProgress.previousActive ? await session.runner.running(inProgress.previousActive) : undefined;
  if (previous) return { color: previous.color, release: previous.release };
  const fresh = await session.runner.running(inProgress.color);
  if (fresh?.release === inProgress.release) return { color: fresh.color, release: fresh.release };
  return inProgress.previousRelease ? { color: inProgress.color, release: inProgress.release } : null;
}
