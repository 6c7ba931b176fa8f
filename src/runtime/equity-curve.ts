/**
 * Equity after every bar, 8 bytes per bar: the values in one growable array; the times are not copied when
 * the bars come from a series (a backtest) — they are that series' times, referenced by segment — and only
 * bars from a feed have their time stored. `times()` puts them together when a report needs them.
 */
import type { BarSeries } from "./data/bars.js";

interface Segment {
  readonly source: Float64Array;
  readonly from: number;
  to: number;
  /** index of the segment's first point in the curve */
  readonly at: number;
}

export class EquityCurve {
  values: Float64Array;
  count = 0;
  readonly #segments: Segment[] = [];
  #own: Float64Array;

  constructor(room = 1024) {
    this.values = new Float64Array(Math.max(16, room));
    this.#own = new Float64Array(16);
  }

  /** Makes room for `more` points after the current ones. */
  reserve(more: number): void {
    const need = this.count + more;
    if (need > this.values.length) this.values = grown(this.values, need);
  }

  /** Points `count … count + (to − from)` were bars `from … to` of `series`. */
  noteSeries(series: BarSeries, from: number, to: number): void {
    const last = this.#segments[this.#segments.length - 1];
    if (last && last.source === series.time && last.to === from && last.at + (last.to - last.from) === this.count) {
      last.to = to;
    } else this.#segments.push({ source: series.time, from, to, at: this.count });
    this.count += to - from;
  }

  /** The next point's time, for a bar that came from a feed (its series slot is reused). */
  noteTime(time: number): void {
    if (this.count >= this.#own.length) this.#own = grown(this.#own, this.count + 1);
    this.#own[this.count] = time;
    const last = this.#segments[this.#segments.length - 1];
    if (last && last.source === this.#own && last.at + (last.to - last.from) === this.count) last.to++;
    else this.#segments.push({ source: this.#own, from: this.count, to: this.count + 1, at: this.count });
    this.count++;
  }

  /** The time of every point. */
  times(): Float64Array {
    const out = new Float64Array(this.count);
    // a segment's times all live in its source: one that outgrows the own-times array starts a new segment
    for (const s of this.#segments) out.set(s.source.subarray(s.from, s.to), s.at);
    return out;
  }
}

function grown(a: Float64Array, need: number): Float64Array {
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
