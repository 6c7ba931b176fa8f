/**
 * Small streaming indicators for strategies: O(1) per update, no allocation after construction, the same
 * arithmetic in every mode.
 */

/** Simple moving average over the last `window` values. */
export class Sma {
  readonly #values: Float64Array;
  #sum = 0;
  #count = 0;
  #next = 0;
  value = Number.NaN;

  constructor(readonly window: number) {
    if (!(Number.isInteger(window) && window >= 1))
      throw new RangeError(`SMA window must be an integer ≥ 1, got ${window}`);
    this.#values = new Float64Array(window);
  }

  get ready(): boolean {
    return this.#count >= this.window;
  }

  /** Adds a value; returns the average (NaN until `window` values were seen). */
  update(x: number): number {
    const values = this.#values;
    const i = this.#next;
    const sum = this.#sum + x - values[i]!;
    this.#sum = sum;
    values[i] = x;
    const w = this.window;
    this.#next = i + 1 === w ? 0 : i + 1;
    if (this.#count < w && ++this.#count < w) return Number.NaN;
    this.value = sum / w;
    return this.value;
  }
}

/** Rate of change over `window` values: x / x[window ago] − 1. */
export class Momentum {
  readonly #values: Float64Array;
  #count = 0;
  #next = 0;
  value = Number.NaN;

  constructor(readonly window: number) {
    if (!(Number.isInteger(window) && window >= 1))
      throw new RangeError(`momentum window must be an integer ≥ 1, got ${window}`);
    this.#values = new Float64Array(window);
  }

  get ready(): boolean {
    return this.#count > this.window;
  }

  update(x: number): number {
    const i = this.#next;
    const old = this.#values[i]!;
    this.#values[i] = x;
    this.#next = i + 1 === this.window ? 0 : i + 1;
    this.#count++;
    this.value = this.#count > this.window ? x / old - 1 : Number.NaN;
    return this.value;
  }
}

export function sma(window: number): Sma {
  return new Sma(window);
}

export function momentum(window: number): Momentum {
  return new Momentum(window);
}
