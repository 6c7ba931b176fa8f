/** Time for the supervisor, injected (STYLE: time is injected so that tests control it). */

export interface Clock {
  now(): number;
  /** runs `fn` after `ms`; returns the cancel function */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}

export const iso = (ms: number): string => new Date(ms).toISOString();
