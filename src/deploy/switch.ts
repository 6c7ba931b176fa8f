/**
 * The blue/green moves on one host, shared by deploys, rollbacks and recoveries:
 *
 *   start    the release starts in the idle colour on its internal port (orders off) and must pass health
 *   switch   the front proxy points at it in one step; requests in flight on the old colour drain
 *   handoff  for order senders: fence the lease, stop the old release, give the lease to the new one
 *   return   the way back: to a warm colour at once, or by starting the old release cold and switching again
 */
import { TroError } from "../errors.js";
import type { HealthLevel, ProbeResult } from "../health/probe.js";
import { DRAIN_TIMEOUT_MS, START_PROBE_INTERVAL_MS, STOP_GRACE_SECONDS } from "./constants.js";
import { describeProbe, isFullyHealthy } from "./gates/context.js";
import { ensureHostSecrets } from "./host-secrets.js";
import { returnPortless } from "./portless-switch.js";
import { logSnippet } from "./runner.js";
import type { TargetSession } from "./session.js";
import { returnOutcome, runningRelease, type Slot } from "./slots.js";

export type { Slot } from "./slots.js";

export type HealthWait =
  | { readonly ok: true; readonly probe: ProbeResult }
  | { readonly ok: false; readonly reason: string };

/** Waits until the colour answers 100% at `level`; fails early when its process dies (crash at start). */
export async function waitHealthy(
  session: TargetSession,
  slot: Slot,
  level: HealthLevel,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HealthWait> {
  const { clock } = session;
  const deadline = clock.now() + timeoutMs;
  let last: ProbeResult | undefined;
  for (;;) {
    if (signal?.aborted) return { ok: false, reason: "interrupted" };
    if (!(await session.runner.running(slot.color))) {
      const log = logSnippet(await session.runner.logTail(slot.color, 5));
      return { ok: false, reason: `${slot.release} exited during start${log ? ` (its log: ${log})` : ""}` };
    }
    last = await session.runner.health(slot.port, level);
    if (isFullyHealthy(last)) return { ok: true, probe: last };
    if (clock.now() >= deadline) break;
    await clock.sleep(START_PROBE_INTERVAL_MS, signal);
  }
  const checks = last ? describeProbe(last).join("; ") : "no answer";
  return {
    ok: false,
    reason: `${slot.release} did not pass level ${level} health within ${Math.round(timeoutMs / 1000)} s (${checks})`,
  };
}

/** Starts a release in a colour (replacing whatever ran there) and waits for its health; stops it again on failure. */
export async function startVerified(
  session: TargetSession,
  slot: Slot,
  options: {
    readonly orders: boolean;
    readonly level: HealthLevel;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
  },
): Promise<HealthWait> {
  const releaseDir = session.layout.release(slot.release);
  await session.runner.start({
    color: slot.color,
    release: slot.release,
    releaseDir,
    workdir: session.layout.workdir(slot.release, session.project.path),
    port: slot.port,
    orders: options.orders,
  });
  const wait = await waitHealthy(session, slot, options.level, options.timeoutMs, options.signal);
  if (!wait.ok) await session.runner.stop(slot.color, STOP_GRACE_SECONDS);
  return wait;
}

/**
 * Points the public port at a slot and waits for the replaced colour to drain. With `guardMs`, the proxy returns
 * traffic to the replaced colour unless the switch is renewed or confirmed within it (the deploy died after it).
 */
export async function switchTraffic(
  session: TargetSession,
  to: Slot,
  guardMs?: number,
): Promise<{ drained: boolean; previous?: Slot }> {
  const before = (await session.proxy.ensure()).route;
  const guard =
    guardMs && before && before.port !== to.port
      ? { fallback: { color: before.color, port: before.port, release: before.release }, leaseMs: guardMs }
      : undefined;
  let previous: Awaited<ReturnType<typeof session.proxy.switchTo>>;
  try {
    previous = await session.proxy.switchTo(to.color, to.port, to.release, guard);
  } catch (error) {
    // the answer was lost, not necessarily the switch: the proxy's route says which
    const route = (await session.proxy.status())?.route;
    if (route?.release !== to.release || route.port !== to.port) throw error;
    previous = before;
  }
  if (!previous || previous.port === to.port) return { drained: true };
  const drain = await session.proxy.drain(previous.port, DRAIN_TIMEOUT_MS);
  return {
    drained: drain.drained,
    previous: { color: previous.color, release: previous.release, port: previous.port },
  };
}

/**
 * For order senders: the old release stops sending (the lease is fenced) and exits, then the new one may send.
 * Returns the gap in milliseconds during which nobody could send.
 */
export async function handoffOrders(session: TargetSession, from: Slot | undefined, to: Slot): Promise<number> {
  const lease = session.lease!;
  // the lease already with the new release (sending from another host of the target): only the old one stops here
  if (await lease.holds(to.release)) {
    if (from && from.color !== to.color) await session.runner.stop(from.color, STOP_GRACE_SECONDS);
    return 0;
  }
  const fencedAt = session.clock.now();
  await lease.fence();
  if (from && from.color !== to.color) await session.runner.stop(from.color, STOP_GRACE_SECONDS);
  await lease.transfer(to.release);
  return session.clock.now() - fencedAt;
}

/**
 * Returns traffic (and the lease) from `from` to `to`: at once when `to` still runs warm, otherwise by starting it
 * cold in its colour first. `from` is stopped afterwards.
 * @throws TroError TRO_ERR_DEPLOY_FAILED when `to` cannot be started healthy again (then `from` keeps serving)
 */
export async function returnTo(
  session: TargetSession,
  from: Slot,
  to: Slot,
  options: { readonly level: HealthLevel; readonly timeoutMs: number },
): Promise<{ warm: boolean; slot: Slot; orderGapMs?: number }> {
  if (session.target.style) return returnPortless(session, from, to, options);
  const running = await runningRelease(session, to.color);
  const { warm, slot } = returnOutcome(session.target, Boolean(session.lease), from, to, running);
  if (!warm) {
    await ensureHostSecrets(session, slot.release);
    const started = await startVerified(session, slot, {
      orders: !session.lease,
      level: options.level,
      timeoutMs: options.timeoutMs,
    });
    if (!started.ok) {
      throw new TroError(
        "TRO_ERR_DEPLOY_FAILED",
        `Could not bring ${to.release} back: ${started.reason}; ${from.release} keeps serving.`,
        {
          hint: "Check the release's log on the target, then deploy a fix or `tradeops rollback --to` another release.",
        },
      );
    }
    to = slot;
  }
  await switchTraffic(session, to);
  let orderGapMs: number | undefined;
  if (session.lease) orderGapMs = await handoffOrders(session, from, to);
  else await session.runner.stop(from.color, STOP_GRACE_SECONDS);
  return { warm, slot: to, orderGapMs };
}
