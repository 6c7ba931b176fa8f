/**
 * What a rollback plans from on each host: what serves, runs idle and is kept — read under the lock after recovery,
 * or, for a dry run, read only and carried through the recovery a real rollback would run first (the same decision,
 * applied in memory), so that the dry run's plan is the one the rollback follows.
 */
import { ensureHostSecrets } from "./host-secrets.js";
import { portlessRoute } from "./portless-switch.js";
import { keptRoute } from "./proxy/control.js";
import type { TargetState } from "./records.js";
import { startsProxy } from "./recover.js";
import {
  decideRecovery,
  type HostPicture,
  type ObservedRoute,
  type ProjectedRecovery,
  projectRecovery,
  type RecoveryDecision,
  type RunningRelease,
} from "./recover-decision.js";
import type { RecoveryForecast, RollbackHost } from "./rollback-plan.js";
import type { TargetSession } from "./session.js";
import { otherColor, portOf, recordedSlot, routedSlot, type Slot } from "./slots.js";
import { COLORS, type Color } from "./types.js";

/** What a host serves, runs idle and keeps now: a rollback plan's input. */
export async function observeHost(session: TargetSession): Promise<RollbackHost> {
  const [releases, serving] = await Promise.all([session.records.readReleases(), routedSlot(session)]);
  const idle = serving ? (await session.runner.running(otherColor(serving.color)))?.release : undefined;
  return { host: session.host, releases, ...(serving ? { serving } : {}), ...(idle ? { idle } : {}) };
}

/**
 * For a dry run: what a host will serve, run idle and keep once a real rollback has recovered the deploy left in
 * progress there (as `observeHost` when there is none), and what that recovery does. Reads only: the proxy is asked,
 * never started; nothing is stopped, started or written.
 */
export async function forecastHost(session: TargetSession): Promise<RollbackHost> {
  const state = await session.records.readState();
  const inProgress = state.inProgress;
  if (!inProgress) return observeHost(session);
  const unknowns: string[] = [];
  const running: Partial<Record<Color, RunningRelease>> = {};
  for (const color of COLORS) {
    const instance = await session.runner.running(color);
    if (instance) running[color] = instance;
  }
  const proxy = session.target.style ? undefined : await proxyRoute(session, state, unknowns);
  const route: ObservedRoute | null = session.target.style
    ? await portlessRoute(session, inProgress)
    : (proxy?.route ?? null);
  const lock = await session.lock.status();
  if (lock.held && !lock.stale)
    unknowns.push(
      `the deploy lock is held by ${lock.owner?.who ?? "someone"} (${lock.owner?.command ?? "?"}) and not stale: while that deploy runs, the rollback refuses (exit 75) and recovers nothing; this plan assumes it died`,
    );
  const before: HostPicture = {
    state,
    releases: await session.records.readReleases(),
    running,
    route: proxy?.route ?? null,
    ...(session.lease ? { holder: await session.lease.holder() } : {}),
  };
  const decision = decideRecovery({ target: session.target, inProgress, route, lastRevert: proxy?.lastRevert });
  const ordersLease = Boolean(session.lease);
  const projected = projectRecovery(decision, before, session.target, ordersLease);
  // a cold return asks the host for the release's secrets first (`secrets: host`), and refuses as the recovery will
  if (projected.returned && !projected.returned.warm) await ensureHostSecrets(session, projected.returned.slot.release);
  const { after } = projected;
  const actions = recoveryActions(decision, projected, route, ordersLease, unknowns);
  if (projected.leaseTo) actions.push(`the executor lease goes to ${projected.leaseTo}`);
  actions.push(`${inProgress.release} is marked failed (interrupted during ${inProgress.step})`);
  const serving = servingAfter(session, after);
  actions.push(serving ? `${serving.release} serves on ${serving.color}` : "nothing serves afterwards");
  const idle = serving ? after.running[otherColor(serving.color)]?.release : undefined;
  const recovery: RecoveryForecast = {
    project: session.project.name,
    host: session.host,
    inProgress: {
      id: inProgress.id,
      kind: inProgress.kind,
      step: inProgress.step,
      release: inProgress.release,
      color: inProgress.color,
    },
    outcome: decision.outcome,
    actions,
    unknowns,
  };
  return {
    host: session.host,
    releases: after.releases,
    ...(serving ? { serving } : {}),
    ...(idle ? { idle } : {}),
    recovery,
  };
}

/** What a recovery does first, in words (and, for a cold return, what only starting it would tell). */
function recoveryActions(
  decision: RecoveryDecision,
  projected: ProjectedRecovery,
  route: ObservedRoute | null,
  ordersLease: boolean,
  unknowns: string[],
): string[] {
  const { inProgress } = decision;
  const actions: string[] = [];
  if (decision.back && projected.returned) {
    const { from, to } = decision.back;
    const { warm, slot } = projected.returned;
    actions.push(
      `traffic returns from ${from.release} (${from.color}) to ${to.release} (${slot.color}, ${warm ? "warm: it still runs there" : "cold: it starts there and must pass health first"})`,
    );
    if (!warm)
      unknowns.push(
        `whether ${to.release} starts healthy in ${slot.color} is known only by starting it: if it does not, the rollback stops there and ${from.release} keeps serving`,
      );
    if (ordersLease) actions.push(`the executor lease goes to ${to.release}`);
  } else if (decision.stop) actions.push(`${inProgress.release} (${decision.stop}) is stopped`);
  else if (route)
    actions.push(
      route.release === inProgress.release
        ? `${inProgress.release} keeps serving, unverified (a first deploy: nothing to return to)`
        : `${route.release} keeps serving`,
    );
  return actions;
}

/**
 * The front proxy's route and last revert as the recovery will find them: asked of the running proxy, or, when none
 * answers and the recovery would start one, the route a started proxy comes back on (said in `unknowns`).
 */
async function proxyRoute(
  session: TargetSession,
  state: TargetState,
  unknowns: string[],
): Promise<{ route: ObservedRoute | null; lastRevert?: string | null } | undefined> {
  const status = await session.proxy.status();
  const guard = status?.guard;
  if (guard && guard.release === status.route?.release)
    unknowns.push(
      `the front proxy's switch to ${guard.release} is unconfirmed until ${guard.expiresAt}: after that it returns traffic to ${guard.fallback.release} itself (if that answers), and the recovery then only stops ${guard.release}; this plan assumes the route as it is now`,
    );
  if (status) return { route: status.route, lastRevert: status.lastRevert };
  if (!startsProxy(state, state.inProgress!)) return undefined;
  const kept = await keptRoute(session.files, session.layout);
  unknowns.push(
    `no front proxy answers: the recovery starts it first, and it comes back ${kept ? `routing to ${kept.release} (${kept.color}), the route it kept` : "routing nothing"}; a switch guard it kept may return traffic as it starts`,
  );
  return { route: kept };
}

/** What `routedSlot` will report after the recovery: the proxy's route, else the records' active colour. */
function servingAfter(session: TargetSession, after: HostPicture): Slot | undefined {
  const { route } = after;
  if (session.target.style === "static" || !route) return recordedSlot(after.state);
  return { color: route.color, release: route.release, port: route.port ?? portOf(session.target, route.color) };
}
