/**
 * The restart policy, pure: given the streak so far and how the last run ended, restart after a delay or give
 * up. Every restart nobody asked for — a crash, a failed start, failed health probes — waits the next step of
 * `health.backoffSeconds` (seed: 5 s, 10 s, 20 s) and, after `health.maxRestarts` backoff steps, the instance is
 * failed: one sequence and one give-up whatever the cause (the seed's health monitor). In front of it, SPEC §11's
 * "immediate restart on crash": the first crash of a service that was up restarts without waiting.
 */
import { STABLE_AFTER_MS } from "./constants.js";

export interface RestartStreak {
  /** restarts since the instance was last stable */
  readonly streak: number;
  /** backoff delays used in this streak */
  readonly backoffStep: number;
}

export const FRESH_STREAK: RestartStreak = { streak: 0, backoffStep: 0 };

export interface RestartSettings {
  readonly backoffSeconds: readonly number[];
  readonly maxRestarts: number;
}

export interface EndedRun {
  /** the run reached `running` (healthy, or settled without a health endpoint) */
  readonly established: boolean;
  /** how long it had been running when it ended (0 when it never was) */
  readonly runningMs: number;
  /** the process exited by itself (not stopped for failed health) */
  readonly crashed?: boolean;
}

export type RestartDecision =
  | { readonly kind: "restart"; readonly delayMs: number; readonly next: RestartStreak }
  | { readonly kind: "fail"; readonly restarts: number };

/** The delay before restart number `step + 1` of a streak: the last step repeats when the list runs out. */
export function backoffDelayMs(settings: RestartSettings, step: number): number {
  const steps = settings.backoffSeconds.length ? settings.backoffSeconds : [0];
  return Math.round(steps[Math.min(step, steps.length - 1)]! * 1000);
}

/** Decides what happens after a run ended that nobody asked to end (exit, failed start or failed health). */
export function decideRestart(
  previous: RestartStreak,
  run: EndedRun,
  settings: RestartSettings,
  stableAfterMs = STABLE_AFTER_MS,
): RestartDecision {
  const history = run.established && run.runningMs >= stableAfterMs ? FRESH_STREAK : previous;
  // SPEC §11: the first crash of a service that was up restarts at once. It is a restart of the streak but takes
  // no backoff step, so the sequence after it is the health failure's: 5, 10, 20 s, then give up.
  if (run.crashed && run.established && history.streak === 0 && settings.maxRestarts > 0)
    return { kind: "restart", delayMs: 0, next: { streak: 1, backoffStep: 0 } };
  if (history.backoffStep >= settings.maxRestarts) return { kind: "fail", restarts: history.streak };
  return {
    kind: "restart",
    delayMs: backoffDelayMs(settings, history.backoffStep),
    next: { streak: history.streak + 1, backoffStep: history.backoffStep + 1 },
  };
}
