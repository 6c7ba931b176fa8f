/** Time for deploys, injected so that tests control it: the one place in `src/deploy/` that reads the wall clock. */
import { setTimeout as wait } from "node:timers/promises";

export interface DeployClock {
  /** epoch milliseconds */
  now(): number;
  /** resolves after `ms`, or at once when `signal` aborts (never rejects) */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** runs `fn` every `ms` until the returned function is called */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: DeployClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => wait(ms, undefined, { signal }).catch(() => undefined),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** The clock's time as an ISO string, as records write it. */
export function isoNow(clock: DeployClock): string {
  return new Date(clock.now()).toISOString();
}
