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
import type { TargetState } from "./records.js";
import type { TargetSession } from "./session.js";
import { inProgressSlots } from "./slots.js";
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
    : state.active || inProgress.step !== "upload"
      ? await session.proxy.ensure()
      : await session.proxy.status();
  const route = session.target.style ? await portlessRoute(session, inProgress) : (status?.route ?? null);
  const notes: string[] = [];
  let outcome: DeployRecord["outcome"] = "interrupted";
  const { from: back, to: newSlot } = inProgressSlots(session.target, inProgress);
  if (route?.release === inProgress.release && route.color === inProgress.color) {
    if (back) {
      const done = await returnTo(session, newSlot, back, { level: options.level, timeoutMs: options.timeoutMs });
      notes.push(
        `${inProgress.release} took traffic but never passed gate 11; returned to ${back.release}${done.warm ? " (warm)" : ""}`,
      );
      outcome = "rolled-back";
      state.active = done.slot.color;
    } else {
      notes.push(
        `${inProgress.release} serves unverified (first deploy, nothing to return to); deploy again to verify it`,
      );
      state.active = inProgress.color;
    }
  } else {
    if (route?.color !== inProgress.color) await session.runner.stop(inProgress.color, STOP_GRACE_SECONDS);
    const reverted = status?.lastRevert?.includes(`switch to ${inProgress.release} `);
    notes.push(
      reverted
        ? `${inProgress.release} took traffic, and the front proxy returned it to ${route?.release} when the deploy stopped renewing its switch; stopped`
        : `${inProgress.release} never took traffic (${route ? `${route.release} kept serving` : "nothing served"}); stopped`,
    );
    state.active = route?.color as Color | undefined;
  }
  await reconcileColors(session, state);
  if (session.lease && state.active) {
    const serving = state.colors[state.active]?.release;
    if (serving && (await session.lease.holder()) !== serving) {
      await session.lease.transfer(serving);
      notes.push(`the executor lease went to ${serving}`);
    }
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

/** Makes `state.colors` say what really runs: a colour whose process is gone is forgotten. */
export async function reconcileColors(session: TargetSession, state: TargetState): Promise<void> {
  // static files run no process: only the active colour's record stays
  if (session.target.style === "static") {
    for (const color of COLORS) if (color !== state.active) delete state.colors[color];
    return;
  }
  for (const color of COLORS) {
    const running = await session.runner.running(color);
    if (!running) delete state.colors[color];
    else
      state.colors[color] = {
        release: running.release,
        port: running.port,
        startedAt: running.startedAt,
        orders: state.colors[color]?.orders ?? !session.lease,
      };
  }
  if (state.active && !state.colors[state.active]) state.active = undefined;
}
