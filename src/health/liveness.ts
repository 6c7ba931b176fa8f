/**
 * Level 1 asks one question: must this process be restarted? Only in-process facts answer it (research
 * §3.1): a fatal flag set on a broken invariant, and the main loop's heartbeat once it is armed. External
 * dependencies never make level 1 fail, and neither does shutting down.
 */
import { type Clock, sanitizeCode, systemClock } from "./types.js";

/** A loop silent for max(10 × its interval, 60 s) is stuck (research §4.4 `loop:heartbeat`). */
export const HEARTBEAT_INTERVALS = 10;
export const HEARTBEAT_MIN_MS = 60_000;

export interface LivenessVerdict {
  readonly alive: boolean;
  readonly code: string | null;
}

const ALIVE: LivenessVerdict = Object.freeze({ alive: true, code: null });

export class Liveness {
  #broken: string | undefined;
  #expectedIntervalMs: number | undefined;
  #lastBeat: number | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Marks the process as needing a restart (an invariant a restart would fix is broken). */
  markBroken(code: string): void {
    this.#broken = sanitizeCode(code, "BROKEN");
  }

  /** Arms the heartbeat: from now on the loop must beat at least every max(10 × interval, 60 s). */
  armHeartbeat(expectedIntervalMs: number): void {
    this.#expectedIntervalMs = expectedIntervalMs;
    this.#lastBeat = this.clock.now();
  }

  /** The main loop completed a tick. */
  beat(at: number = this.clock.now()): void {
    this.#lastBeat = at;
  }

  verdict(now: number = this.clock.now()): LivenessVerdict {
    if (this.#broken) return { alive: false, code: this.#broken };
    if (this.#expectedIntervalMs !== undefined && this.#lastBeat !== undefined) {
      const limit = Math.max(HEARTBEAT_INTERVALS * this.#expectedIntervalMs, HEARTBEAT_MIN_MS);
      if (now - this.#lastBeat > limit) return { alive: false, code: "LOOP_STALLED" };
    }
    return ALIVE;
  }
}
