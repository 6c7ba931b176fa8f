/** A deploy clock for unit tests that never waits: `sleep` moves time (and fires the repeating timers) at once. */
import type { DeployClock } from "../../src/deploy/clock.js";

export interface FakeClock extends DeployClock {
  /** moves time forward, firing the repeating timers due on the way */
  advance(ms: number): void;
}

/** A clock that never waits: `sleep` advances it. */
export function fakeClock(start = Date.parse("2026-11-18T10:00:00Z")): FakeClock {
  let t = start;
  const timers: { due: number; readonly ms: number; readonly fn: () => void }[] = [];
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const next = timers.filter((x) => x.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      t = next.due;
      next.due += next.ms;
      next.fn();
    }
    t = end;
  };
  return {
    now: () => t,
    advance,
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      advance(ms);
      // let a heartbeat that just fired run before the caller goes on
      await new Promise((r) => setImmediate(r));
    },
    every: (ms, fn) => {
      const timer = { due: t + ms, ms, fn };
      timers.push(timer);
      return () => void timers.splice(timers.indexOf(timer), 1);
    },
  };
}
