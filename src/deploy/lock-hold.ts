/**
 * The deploy locks a deploy or a rollback holds on its targets: taken one by one (a stale one taken over, saying so),
 * kept alive by a heartbeat that also renews the front proxy's switch guard, and given up at the end. A heartbeat
 * that finds a lock gone (broken, or taken over as stale) aborts the work with the reason.
 */
import { randomBytes } from "node:crypto";
import { type DeployClock, isoNow } from "./clock.js";
import { LOCK_HEARTBEAT_MS, SWITCH_GUARD_MS } from "./constants.js";
import type { EventSink } from "./events.js";
import { type LockOwner, processStart } from "./lock.js";
import type { TargetSession } from "./session.js";

export interface LockHold {
  /** the sessions whose lock is held, in the order taken */
  readonly held: readonly TargetSession[];
  /** aborted, with the reason as a string, once a heartbeat finds a lock no longer held */
  readonly lost: AbortSignal;
  /** stops the heartbeat (waiting for one in flight) and releases every lock held */
  release(): Promise<void>;
}

/** The owner record of this process's deploy or rollback. */
export function lockOwner(
  clock: DeployClock,
  o: Pick<LockOwner, "who" | "host" | "command" | "project" | "environment" | "release"> & { readonly id: string },
): LockOwner {
  const now = isoNow(clock);
  return {
    ...o,
    id: `${o.id}-${randomBytes(3).toString("hex")}`,
    pid: process.pid,
    pidStart: processStart(process.pid),
    startedAt: now,
    heartbeatAt: now,
  };
}

/**
 * Takes the lock of every session; on a failure the ones taken are released again.
 * @throws TroError TRO_ERR_LOCK_HELD, TRO_ERR_TARGET_UNAVAILABLE
 */
export async function holdLocks(
  sessions: readonly TargetSession[],
  owner: LockOwner,
  options: { readonly clock: DeployClock; readonly emit?: EventSink },
): Promise<LockHold> {
  const held: TargetSession[] = [];
  const mine = (s: TargetSession) => ({ ...owner, project: s.project.name });
  const lost = new AbortController();
  // a heartbeat still in flight when the lock is released would write owner.json back (and so the lock)
  let beating: Promise<unknown> = Promise.resolve();
  let stop = () => {};
  const release = async () => {
    stop();
    await beating;
    for (const s of held) await s.lock.release(mine(s)).catch(() => undefined);
  };
  try {
    for (const session of sessions) {
      const previous = await session.lock.acquire(mine(session));
      held.push(session);
      if (previous)
        options.emit?.({
          type: "note",
          level: "warn",
          message: `the deploy lock of ${session.project.name} on ${session.host} was stale (held by ${previous.who ?? "?"}, pid ${previous.pid ?? "?"} on ${previous.host ?? "?"}); taken over`,
        });
    }
  } catch (error) {
    await release();
    throw error;
  }
  const beat = async (s: TargetSession) => {
    // an unreachable host is not a lost lock: the next beat tries again
    const ours = await s.lock.heartbeat(mine(s)).catch(() => true);
    if (!ours && !lost.signal.aborted)
      lost.abort(`the deploy lock of ${s.project.name} on ${s.host} was broken or taken over by another deploy`);
  };
  stop = options.clock.every(LOCK_HEARTBEAT_MS, () => {
    beating = Promise.all(held.map(beat));
    for (const s of held) void s.proxy.renew(SWITCH_GUARD_MS).catch(() => undefined);
  });
  return { held, lost: lost.signal, release };
}

/** Why a deploy's signal aborted: a lost lock says so; the operator's Ctrl-C carries no reason of its own. */
export function abortReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === "string" ? signal.reason : "interrupted by the operator";
}
