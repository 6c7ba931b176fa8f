/**
 * Events inside a rolling time window, in a ring buffer: no allocation after construction. Used by the
 * order-rate limit (orders per minute) and the circuit breaker (errors per window).
 */
export class WindowCounter {
  readonly #times: Float64Array;
  #head = 0;
  #count = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.#times = new Float64Array(Math.max(1, limit));
  }

  /** How many events happened in (now − window, now]. */
  countAt(now: number): number {
    const cutoff = now - this.windowMs;
    while (this.#count > 0 && this.#times[this.#head]! <= cutoff) {
      this.#head = (this.#head + 1) % this.#times.length;
      this.#count--;
    }
    return this.#count;
  }

  /** True when one more event would exceed the limit. */
  isFull(now: number): boolean {
    return this.countAt(now) >= this.limit;
  }

  /** Records an event; returns the count inside the window including it (never more than `limit`). */
  add(now: number): number {
    this.countAt(now);
    if (this.#count === this.#times.length) {
      this.#head = (this.#head + 1) % this.#times.length;
      this.#count--;
    }
    this.#times[(this.#head + this.#count) % this.#times.length] = now;
    this.#count++;
    return this.#count;
  }

  reset(): void {
    this.#head = 0;
    this.#count = 0;
  }
}
