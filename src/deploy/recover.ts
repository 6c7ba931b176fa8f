/**
 * Recovery after a deploy died (killed, Ctrl-C'd twice, machine lost): what the front proxy routes to is what serves,
 * and was never half-switched. A release the proxy routes to that never passed gate 11 is not trusted: traffic
 * returns to the release it replaced. A release that never took traffic is stopped. The lease goes to whatever
 * serves. Everything is recorded as a `recovery` in the history.
 */
import type { HealthLevel } from "../health/probe.js";
import { isoNow } from "./clock.js";
import { STOP_GRACE_SECONDS } from "./constants.js";
import { portlessRoute } from "./portless-switch.js";
import type { InProgress, TargetState } from "./records.js";
import { decideRecovery, leaseGoesTo, type RunningRelease, reconcileRecorded } from "./recover-decision.js";
import type { TargetSession } from "./session.js";
import { returnTo } from "./switch.js";
import { COLORS, type Color, type DeployRecord } from "./types.js";

export interface RecoverOptions {
  readonly level: HealthLevel;
  readonly timeoutMs: number;
  readonly who: string;
  /** why a recovery runs: `the deploy lock was stale: …` */
  readonly reason: string;
}

/** Recovers the target when a deploy was left in progress; returns the recovery's record, or undefined. */
export async function recoverTarget(
  session: TargetSession,
  options: RecoverOptions,
): Promise<DeployRecord | undefined> {
  const state = await session.records.readState();
  const inProgress = state.inProgress;
  if (!inProgress) return undefined;
  const { clock } = session;
  const started = clock.now();
  // a target without a port has no proxy: its route is the colour its runner runs
  const status = session.target.style
    ? undefined
    : startsProxy(state, inProgress)
      ? await session.proxy.ensure()
      : await session.proxy.status();
  const route = session.target.style ? await portlessRoute(session, inProgress) : (status?.route ?? null);
  const decision = decideRecovery({ target: session.target, inProgress, route, lastRevert: status?.lastRevert });
  const notes: string[] = [];
  if (decision.back) {
    const { from, to } = decision.back;
    const done = await returnTo(session, from, to, { level: options.level, timeoutMs: options.timeoutMs });
    notes.push(`${decision.note}${done.warm ? " (warm)" : ""}`);
    state.active = done.slot.color;
  } else {
    if (decision.stop) await session.runner.stop(decision.stop, STOP_GRACE_SECONDS);
    notes.push(decision.note);
    state.active = decision.active;
  }
  const outcome = decision.outcome;
  await reconcileColors(session, state);
  const lease = state.active ? session.lease : undefined;
  const leaseTo = lease && leaseGoesTo(state, await lease.holder());
  if (lease && leaseTo) {
    await lease.transfer(leaseTo);
    notes.push(`the executor lease went to ${leaseTo}`);
  }
  await session.records.updateRelease(inProgress.release, (r) => {
    r.status = "failed";
    r.reason = `interrupted during ${inProgress.step}`;
  });
  state.inProgress = undefined;
  await session.records.writeState(state);
  const record: DeployRecord = {
    id: `${inProgress.id}-recovery`,
    kind: "recovery",
    project: session.project.name,
    environment: session.target.environment,
    host: session.host,
    release: state.active ? (state.colors[state.active]?.release ?? "") : "",
    previous: inProgress.release,
    commit: "",
    who: options.who,
    startedAt: new Date(started).toISOString(),
    finishedAt: isoNow(clock),
    durationMs: clock.now() - started,
    gates: [],
    steps: [],
    outcome,
    reason: `${options.reason}; the ${inProgress.kind} ${inProgress.id} died during ${inProgress.step}; ${notes.join("; ")}`,
    rollbackReason: outcome === "rolled-back" ? `interrupted deploy ${inProgress.id}` : undefined,
  };
  await session.records.appendHistory(record);
  return record;
}

/** Whether a recovery makes sure the front proxy runs (starting it): unless a first deploy died before its switch. */
export function startsProxy(state: Pick<TargetState, "active">, inProgress: Pick<InProgress, "step">): boolean {
  return Boolean(state.active) || inProgress.step !== "upload";
}

/** Makes `state.colors` say what really runs: a colour whose process is gone is forgotten. */
export async function reconcileColors(session: TargetSession, state: TargetState): Promise<void> {
  const running: Partial<Record<Color, RunningRelease>> = {};
  // static files run no process: only the active colour's record stays
  if (session.target.style !== "static")
    for (const color of COLORS) {
      const instance = await session.runner.running(color);
      if (instance) running[color] = instance;
    }
  reconcileRecorded(state, running, { static: session.target.style === "static", ordersLease: Boolean(session.lease) });
}
