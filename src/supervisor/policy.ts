/**
 * The restart policy, pure: given the streak so far and how the last run ended, restart now, restart after a
 * delay, or give up. A service that was up and healthy is restarted at once; a crash loop backs off through
 * `health.backoffSeconds` (seed: 5 s, 10 s, 20 s) and, after `health.maxRestarts` restarts in a row, is failed.
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
}

export type RestartDecision =
  | { readonly kind: "restart"; readonly delayMs: number; readonly next: RestartStreak }
  | { readonly kind: "fail"; readonly restarts: number };

/** Decides what happens after a run ended that nobody asked to end. */
export function decideRestart(
  previous: RestartStreak,
  run: EndedRun,
  settings: RestartSettings,
  stableAfterMs = STABLE_AFTER_MS,
): RestartDecision {
  const history = run.established && run.runningMs >= stableAfterMs ? FRESH_STREAK : previous;
  const streak = history.streak + 1;
  if (streak > settings.maxRestarts) return { kind: "fail", restarts: history.streak };
  if (run.established && history.streak === 0) return { kind: "restart", delayMs: 0, next: { ...history, streak } };
  const steps = settings.backoffSeconds.length ? settings.backoffSeconds : [0];
  const seconds = steps[Math.min(history.backoffStep, steps.length - 1)]!;
  return {
    kind: "restart",
    delayMs: Math.round(seconds * 1000),
    next: { streak, backoffStep: history.backoffStep + 1 },
  };
}
