/**
 * Bars in columns: one typed array per field, so that a backtest walks memory in order and allocates nothing
 * per bar. A series may hold several symbols interleaved in time order (`symbolIndex` says whose bar it is).
 */
import { TroError } from "../../errors.js";
import type { Bar } from "../types.js";

export interface BarSeries {
  readonly symbols: readonly string[];
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly symbolIndex: Uint16Array;
}

/**
 * The one bar object a kernel hands to `onBar`: a view of bar `index` of a series, moved from bar to bar, so
 * that nothing is allocated or copied per bar. A strategy that keeps a bar beyond the call copies it
 * (`bar.snapshot()`).
 */
export class BarView implements Bar {
  /**
   * Which bar the view shows, and that bar's close and open, read once as the view moves: a strategy reads the close
   * more than any other field, often twice, and a fill reads the open — from a column the loop streams, where a read
   * once per order from an unstreamed column was a cache miss for each fill. `moveTo` (and `index =`) writes the
   * three; the kernel's bar loops write them directly, because a call there, on every bar, is fast only while V8
   * still inlines it, and its inlining budget per loop is shared with the strategy's own code.
   */
  at = 0;
  closeAt = Number.NaN;
  openAt = Number.NaN;
  // the columns, held here: a getter reads one typed array whatever shape of object the series came in
  #series!: BarSeries;
  #symbols!: readonly string[];
  #symbolIndex!: Uint16Array;
  #time!: Float64Array;
  #open!: Float64Array;
  #high!: Float64Array;
  #low!: Float64Array;
  #close!: Float64Array;
  #volume!: Float64Array;

  constructor(series: BarSeries) {
    this.series = series;
  }

  /** which bar of the series the view shows */
  get index(): number {
    return this.at;
  }
  set index(i: number) {
    this.moveTo(i);
  }

  /** Shows bar `i`. */
  moveTo(i: number): void {
    this.at = i;
    this.closeAt = this.#close[i]!;
    this.openAt = this.#open[i]!;
  }

  get series(): BarSeries {
    return this.#series;
  }
  set series(series: BarSeries) {
    this.#series = series;
    this.#symbols = series.symbols;
    this.#symbolIndex = series.symbolIndex;
    this.#time = series.time;
    this.#open = series.open;
    this.#high = series.high;
    this.#low = series.low;
    this.#close = series.close;
    this.#volume = series.volume;
    this.closeAt = this.#close[this.at] ?? Number.NaN;
    this.openAt = this.#open[this.at] ?? Number.NaN;
  }

  get symbolIndex(): number {
    return this.#symbolIndex[this.at]!;
  }
  get symbol(): string {
    return this.#symbols[this.#symbolIndex[this.at]!]!;
  }
  get time(): number {
    return this.#time[this.at]!;
  }
  get open(): number {
    return this.openAt;
  }
  get high(): number {
    return this.#high[this.at]!;
  }
  get low(): number {
    return this.#low[this.at]!;
  }
  get close(): number {
    return this.closeAt;
  }
  get volume(): number {
    return this.#volume[this.at]!;
  }

  /** A plain copy that stays valid after the call. */
  snapshot(): Bar {
    return barAt(this.series, this.index);
  }

  toJSON(): Bar {
    return this.snapshot();
  }
}

/** Writes a plain bar into slot `i` of a series (live and replayed bars go through a one-bar series). */
export function writeBar(series: BarSeries, i: number, bar: Bar, symbolIndex: number): void {
  series.symbolIndex[i] = symbolIndex;
  series.time[i] = bar.time;
  series.open[i] = bar.open;
  series.high[i] = bar.high;
  series.low[i] = bar.low;
  series.close[i] = bar.close;
  series.volume[i] = bar.volume;
}

/** An empty series with room for `length` bars of the given symbols. */
export function allocateSeries(symbols: readonly string[], length: number): BarSeries {
  return {
    symbols,
    length,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
    symbolIndex: new Uint16Array(length),
  };
}

/**
 * Builds a one-symbol series from plain bars, refusing bars out of time order or with impossible prices.
 * @throws TroError TRO_ERR_DATA_SOURCE naming the source and the first bad bar
 */
export function seriesFromBars(symbol: string, bars: readonly Omit<Bar, "symbol">[], source: string): BarSeries {
  const series = allocateSeries([symbol], bars.length);
  let previous = Number.NEGATIVE_INFINITY;
  bars.forEach((bar, i) => {
    const problem = barProblem(bar, previous);
    if (problem) {
      throw new TroError("TRO_ERR_DATA_SOURCE", `${source}: bar ${i + 1} (${isoOf(bar.time)}) ${problem}.`, {
        hint: "Fix or remove that row; bars must be in time order with low ≤ open, close ≤ high.",
      });
    }
    previous = bar.time;
    series.time[i] = bar.time;
    series.open[i] = bar.open;
    series.high[i] = bar.high;
    series.low[i] = bar.low;
    series.close[i] = bar.close;
    series.volume[i] = bar.volume;
  });
  return series;
}

function barProblem(bar: Omit<Bar, "symbol">, previous: number): string | undefined {
  const prices = [bar.open, bar.high, bar.low, bar.close];
  if (!Number.isFinite(bar.time)) return "has no valid time";
  if (bar.time <= previous) return "is not after the bar before it";
  if (!prices.every((p) => Number.isFinite(p) && p > 0)) return "has a price that is not a positive number";
  if (!(Number.isFinite(bar.volume) && bar.volume >= 0)) return "has a volume that is not a number ≥ 0";
  if (bar.low > Math.min(bar.open, bar.close) || bar.high < Math.max(bar.open, bar.close)) {
    return "has open or close outside low..high";
  }
  return undefined;
}

/** Interleaves one-symbol series by time (ties keep the order of `list`). */
export function mergeSeries(list: readonly BarSeries[]): BarSeries {
  if (list.length === 1) return list[0]!;
  const symbols = list.flatMap((s) => s.symbols);
  const total = list.reduce((n, s) => n + s.length, 0);
  const out = allocateSeries(symbols, total);
  const cursor = list.map(() => 0);
  for (let k = 0; k < total; k++) {
    let pick = -1;
    for (let j = 0; j < list.length; j++) {
      const c = cursor[j]!;
      if (c < list[j]!.length && (pick < 0 || list[j]!.time[c]! < list[pick]!.time[cursor[pick]!]!)) pick = j;
    }
    const src = list[pick]!;
    const i = cursor[pick]!++;
    copyBar(src, i, out, k, symbols.indexOf(src.symbols[src.symbolIndex[i]!]!));
  }
  return out;
}

/** The bars with `from ≤ time < to` (either bound optional). */
export function sliceSeries(series: BarSeries, from?: number, to?: number): BarSeries {
  const start = from === undefined ? 0 : lowerBound(series.time, from);
  const end = to === undefined ? series.length : lowerBound(series.time, to);
  const length = Math.max(0, end - start);
  const sub = (a: Float64Array) => a.subarray(start, start + length);
  return {
    symbols: series.symbols,
    length,
    time: sub(series.time),
    open: sub(series.open),
    high: sub(series.high),
    low: sub(series.low),
    close: sub(series.close),
    volume: sub(series.volume),
    symbolIndex: series.symbolIndex.subarray(start, start + length),
  };
}

/** Bar `i` as a plain object (for records, replays and tests; not for the hot path). */
export function barAt(series: BarSeries, i: number): Bar {
  return {
    symbol: series.symbols[series.symbolIndex[i]!]!,
    time: series.time[i]!,
    open: series.open[i]!,
    high: series.high[i]!,
    low: series.low[i]!,
    close: series.close[i]!,
    volume: series.volume[i]!,
  };
}

function copyBar(src: BarSeries, i: number, dst: BarSeries, k: number, symbolIndex: number): void {
  dst.time[k] = src.time[i]!;
  dst.open[k] = src.open[i]!;
  dst.high[k] = src.high[i]!;
  dst.low[k] = src.low[i]!;
  dst.close[k] = src.close[i]!;
  dst.volume[k] = src.volume[i]!;
  dst.symbolIndex[k] = symbolIndex;
}

function lowerBound(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function isoOf(time: number): string {
  return Number.isFinite(time) ? new Date(time).toISOString() : String(time);
}
