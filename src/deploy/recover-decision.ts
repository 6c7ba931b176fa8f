/**
 * What a recovery of a deploy left in progress does, decided apart from doing it, so that `recoverTarget` and a
 * rollback's `--dry-run` follow one rule: `decideRecovery` (from the state, the route and the slots) and
 * `projectRecovery` (that decision applied to a copy of what a host runs and records, in memory). Both pure.
 */
import type { InProgress, TargetState } from "./records.js";
import { inProgressSlots, returnOutcome, type Slot } from "./slots.js";
import { COLORS, type Color, type ReleaseRecord, type ResolvedTarget } from "./types.js";

/** What serves on a host after a deploy died: the front proxy's route, or for a portless target the runner's. */
export interface ObservedRoute {
  readonly color: Color;
  readonly release: string;
  /** the public route's internal port (absent for a portless target) */
  readonly port?: number;
}

export interface RecoveryInput {
  readonly target: Pick<ResolvedTarget, "internalPorts">;
  readonly inProgress: InProgress;
  readonly route: ObservedRoute | null;
  /** the front proxy's last revert of a guarded switch, if any */
  readonly lastRevert?: string | null;
}

/** A recovery's decision: a return of traffic, or a colour stopped, and the colour that ends active. */
export interface RecoveryDecision {
  readonly inProgress: InProgress;
  /** traffic goes back from the interrupted release to the one it replaced (it took traffic, never passed gate 11) */
  readonly back?: { readonly from: Slot; readonly to: Slot };
  /** the colour stopped: the interrupted release's, when it never took traffic */
  readonly stop?: Color;
  /** the colour that serves afterwards, unless `back` decides it (where the replaced release runs again) */
  readonly active?: Color;
  readonly outcome: "rolled-back" | "interrupted";
  /** the note recorded with the recovery; a return's gets ` (warm)` once known */
  readonly note: string;
}

/** Decides what a recovery does; `recoverTarget` applies it, a dry run projects it. */
export function decideRecovery(input: RecoveryInput): RecoveryDecision {
  const { inProgress, route } = input;
  const { from: back, to: newSlot } = inProgressSlots(input.target, inProgress);
  if (route?.release === inProgress.release && route.color === inProgress.color) {
    if (back)
      return {
        inProgress,
        back: { from: newSlot, to: back },
        outcome: "rolled-back",
        note: `${inProgress.release} took traffic but never passed gate 11; returned to ${back.release}`,
      };
    return {
      inProgress,
      active: inProgress.color,
      outcome: "interrupted",
      note: `${inProgress.release} serves unverified (first deploy, nothing to return to); deploy again to verify it`,
    };
  }
  const reverted = input.lastRevert?.includes(`switch to ${inProgress.release} `);
  return {
    inProgress,
    ...(route?.color !== inProgress.color ? { stop: inProgress.color } : {}),
    ...(route ? { active: route.color } : {}),
    outcome: "interrupted",
    note: reverted
      ? `${inProgress.release} took traffic, and the front proxy returned it to ${route?.release} when the deploy stopped renewing its switch; stopped`
      : `${inProgress.release} never took traffic (${route ? `${route.release} kept serving` : "nothing served"}); stopped`,
  };
}

/** A release a colour runs, as the runner reports it. */
export interface RunningRelease {
  readonly release: string;
  readonly port: number;
  readonly startedAt: string;
}

/** Makes recorded colours say what runs: a colour whose process is gone is forgotten (static files run none). */
export function reconcileRecorded(
  state: TargetState,
  running: Partial<Record<Color, RunningRelease>>,
  options: { readonly static: boolean; readonly ordersLease: boolean },
): void {
  if (options.static) {
    for (const color of COLORS) if (color !== state.active) delete state.colors[color];
    return;
  }
  for (const color of COLORS) {
    const instance = running[color];
    if (!instance) delete state.colors[color];
    else
      state.colors[color] = {
        release: instance.release,
        port: instance.port,
        startedAt: instance.startedAt,
        orders: state.colors[color]?.orders ?? !options.ordersLease,
      };
  }
  if (state.active && !state.colors[state.active]) state.active = undefined;
}

/** What a host runs and records, as a dry run reads it. */
export interface HostPicture {
  readonly state: TargetState;
  readonly releases: readonly ReleaseRecord[];
  readonly running: Partial<Record<Color, RunningRelease>>;
  /** the front proxy's route (null when it routes nothing; always null on a portless target) */
  readonly route: ObservedRoute | null;
  /** who holds the executor lease (order senders only) */
  readonly holder?: string;
}

/** Where a recovery moves the executor lease: to the release that serves, unless it holds the lease already. */
export function leaseGoesTo(
  state: Pick<TargetState, "active" | "colors">,
  holder: string | undefined,
): string | undefined {
  const serving = state.active ? state.colors[state.active]?.release : undefined;
  return serving && holder !== serving ? serving : undefined;
}

/** A host picture after a recovery, and what the recovery did to get there. */
export interface ProjectedRecovery {
  readonly after: HostPicture;
  /** the return: warm (a switch back) or cold (the replaced release starts first), and where it ends */
  readonly returned?: { readonly warm: boolean; readonly slot: Slot };
  /** the release the executor lease went to, when it moved */
  readonly leaseTo?: string;
}

/**
 * Applies a recovery's decision to a copy of a host picture, as `recoverTarget` will: the return (through the same
 * slot rule), the stop, the records reconciled with what runs, the lease to what serves, the release marked failed.
 */
export function projectRecovery(
  decision: RecoveryDecision,
  before: HostPicture,
  target: Pick<ResolvedTarget, "internalPorts" | "style">,
  ordersLease: boolean,
): ProjectedRecovery {
  const state: TargetState = structuredClone(before.state);
  const running = { ...before.running };
  let route = before.route;
  let holder = before.holder;
  let returned: ProjectedRecovery["returned"];
  if (decision.back) {
    const { from, to } = decision.back;
    returned = returnOutcome(target, ordersLease, from, to, running[to.color]?.release);
    const { slot } = returned;
    if (target.style !== "static") {
      if (from.color !== slot.color) delete running[from.color];
      if (!returned.warm) running[slot.color] = { release: slot.release, port: slot.port, startedAt: "" };
    }
    if (!target.style) route = { color: slot.color, release: slot.release, port: slot.port };
    if (ordersLease) holder = to.release;
    state.active = slot.color;
  } else {
    if (decision.stop) delete running[decision.stop];
    state.active = decision.active;
  }
  reconcileRecorded(state, running, { static: target.style === "static", ordersLease });
  const leaseTo = ordersLease ? leaseGoesTo(state, holder) : undefined;
  if (leaseTo) holder = leaseTo;
  const failed = decision.inProgress;
  const releases = before.releases.map((r) =>
    r.id === failed.release ? { ...r, status: "failed" as const, reason: `interrupted during ${failed.step}` } : r,
  );
  state.inProgress = undefined;
  return {
    after: { state, releases, running, route, ...(holder !== undefined ? { holder } : {}) },
    ...(returned ? { returned } : {}),
    ...(leaseTo ? { leaseTo } : {}),
  };
}
