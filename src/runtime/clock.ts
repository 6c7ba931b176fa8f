/**
 * Time for the kernel: a simulated clock that data moves forward (backtest and replay) and a real one (live
 * feeds). Both run repeating timers; the strategy sees one `Clock` and cannot tell them apart.
 *
 * Timer rule, the same for both: a timer fires at each due time; when several due times pass with nothing
 * happening in between (a gap in the data, a machine that slept), the missed firings collapse into one, at
 * the last due time before the next event. At equal times data comes first, then timers.
 */

export interface Clock {
  /** epoch milliseconds */
  now(): number;
  /** Runs `fn` every `intervalMs`; returns the function that cancels it. */
  every(intervalMs: number, fn: (now: number) => void): () => void;
  /** Moves time to `t` (simulated clocks); real clocks ignore it. */
  advanceTo(t: number): void;
  readonly simulated: boolean;
}

interface SimTimer {
  due: number;
  readonly interval: number;
  readonly fn: (now: number) => void;
}

/** Time moved by the data: `advanceTo(bar.time)` fires the timers due before it, then sets the time. */
export class SimulatedClock implements Clock {
  readonly simulated = true;
  #time = 0;
  /** the bars a backtest loop moves through: the clock reads their time instead of being set on every bar */
  #bar: { readonly time: number } | undefined;
  /** earliest due time of any timer (Infinity when none): one comparison per bar on the hot path */
  nextDue = Number.POSITIVE_INFINITY;
  readonly #timers: SimTimer[] = [];

  /** `start`: the first bar's time; a feed that is not known in advance resets it at its first bar. */
  constructor(start = 0) {
    this.#time = start;
  }

  /** The time: the later of the last time set (a timer's due time) and the followed bar's. */
  get time(): number {
    const bar = this.#bar;
    if (bar !== undefined) {
      const t = bar.time;
      if (t > this.#time) return t;
    }
    return this.#time;
  }
  set time(t: number) {
    this.#time = t;
  }

  now(): number {
    return this.time;
  }

  /**
   * Takes the time from a bar view from now on (a backtest's loop moves the view, not the clock: one store per
   * bar fewer on the hot path). The view must have moved past the bars already seen; undefined stops following.
   */
  follow(bar: { readonly time: number } | undefined): void {
    if (bar === undefined && this.#bar !== undefined) this.#time = this.time;
    this.#bar = bar;
  }

  every(intervalMs: number, fn: (now: number) => void): () => void {
    const timer: SimTimer = { due: this.time + intervalMs, interval: intervalMs, fn };
    this.#timers.push(timer);
    this.#recompute();
    return () => {
      const i = this.#timers.indexOf(timer);
      if (i >= 0) this.#timers.splice(i, 1);
      this.#recompute();
    };
  }

  advanceTo(t: number): void {
    if (this.nextDue < t) this.#fireUntil(t);
    if (t > this.time) this.time = t;
  }

  /** Sets the time without firing anything (the start of a run). */
  reset(t: number): void {
    this.time = t;
    for (const timer of this.#timers) timer.due = t + timer.interval;
    this.#recompute();
  }

  #fireUntil(t: number): void {
    while (this.nextDue < t) {
      let timer = this.#timers[0]!;
      for (const candidate of this.#timers) if (candidate.due < timer.due) timer = candidate;
      const due = timer.due;
      if (due > this.time) this.time = due;
      let next = due + timer.interval;
      // collapse the firings missed before t into one, at the last due time before t
      if (next < t) next = due + (Math.ceil((t - due) / timer.interval) - 1) * timer.interval;
      timer.due = next;
      this.#recompute();
      timer.fn(this.time);
    }
  }

  #recompute(): void {
    let due = Number.POSITIVE_INFINITY;
    for (const timer of this.#timers) if (timer.due < due) due = timer.due;
    this.nextDue = due;
  }
}

export interface RealClockOptions {
  readonly now?: () => number;
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  readonly clearInterval?: (handle: unknown) => void;
}

/** Wall-clock time with real timers (injected, so tests can drive them). */
export class RealClock implements Clock {
  readonly simulated = false;
  readonly #now: () => number;
  readonly #set: (fn: () => void, ms: number) => unknown;
  readonly #clear: (handle: unknown) => void;

  constructor(options: RealClockOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#set = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
    this.#clear = options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  }

  now(): number {
    return this.#now();
  }

  every(intervalMs: number, fn: (now: number) => void): () => void {
    const handle = this.#set(() => fn(this.#now()), intervalMs);
    return () => this.#clear(handle);
  }

  advanceTo(_t: number): void {}
}
