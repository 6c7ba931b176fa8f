/**
 * What the report's price chart draws for one symbol: its closes, the lines the strategy plotted, and a
 * marker at each trade's entry and exit. Long runs are thinned to a bounded number of points (markers snap
 * to the kept point at or before them), so the page stays light whatever the data.
 */
import type { BarSeries } from "../data/bars.js";
import type { PlotStore } from "../plots.js";
import type { OpenTrade, Trade } from "../portfolio.js";

export interface PriceChart {
  readonly symbol: string;
  /** epoch seconds and close */
  readonly closes: readonly (readonly [number, number])[];
  readonly lines: readonly { readonly name: string; readonly points: readonly (readonly [number, number])[] }[];
  readonly markers: readonly {
    readonly t: number;
    readonly kind: "entry" | "exit";
    readonly direction: "long" | "short";
    readonly text: string;
  }[];
}

/** Points per line on the price chart at most. */
export const PRICE_POINTS = 6000;

export function priceChart(
  series: BarSeries,
  symbolIndex: number,
  trades: readonly Trade[],
  open: readonly OpenTrade[],
  plots: PlotStore | undefined,
): PriceChart {
  const symbol = series.symbols[symbolIndex] ?? "";
  const times: number[] = [];
  const closes: number[] = [];
  for (let i = 0; i < series.length; i++) {
    if (series.symbolIndex[i] === symbolIndex) {
      times.push(series.time[i]!);
      closes.push(series.close[i]!);
    }
  }
  const step = Math.max(1, Math.ceil(times.length / PRICE_POINTS));
  const kept: number[] = [];
  const closePoints: [number, number][] = [];
  for (let i = 0; i < times.length; i += step) {
    kept.push(times[i]!);
    closePoints.push([sec(times[i]!), closes[i]!]);
  }
  const snap = (t: number) => sec(kept[Math.max(0, upperBound(kept, t) - 1)] ?? t);
  const markers: PriceChart["markers"][number][] = [];
  for (const t of trades) {
    if (t.symbol !== symbol) continue;
    markers.push({
      t: snap(t.entryTime),
      kind: "entry",
      direction: t.direction,
      text: t.direction === "long" ? "buy" : "short",
    });
    markers.push({ t: snap(t.exitTime), kind: "exit", direction: t.direction, text: exitLabel(t) });
  }
  for (const t of open) {
    if (t.symbol === symbol)
      markers.push({ t: snap(t.entryTime), kind: "entry", direction: t.direction, text: "buy (open)" });
  }
  markers.sort((a, b) => a.t - b.t);
  const lines = (plots?.lines(symbol) ?? []).map((line) => {
    const lineStep = Math.max(1, Math.ceil(line.times.length / PRICE_POINTS));
    const points: [number, number][] = [];
    for (let i = 0; i < line.times.length; i += lineStep) points.push([sec(line.times[i]!), line.values[i]!]);
    return { name: line.name, points };
  });
  return { symbol, closes: closePoints, lines, markers };
}

/** Buy and hold of a symbol from the first bar, scaled to the initial cash, at the given times. */
export function buyAndHold(
  series: BarSeries,
  symbolIndex: number,
  initialCash: number,
  at: readonly number[],
): number[] {
  const out: number[] = [];
  let first = Number.NaN;
  let last = Number.NaN;
  let k = 0;
  for (const t of at) {
    while (k < series.length && series.time[k]! <= t) {
      if (series.symbolIndex[k] === symbolIndex) {
        last = series.close[k]!;
        if (Number.isNaN(first)) first = last;
      }
      k++;
    }
    out.push(Number.isNaN(first) ? initialCash : (initialCash * last) / first);
  }
  return out;
}

const sec = (ms: number) => Math.floor(ms / 1000);

function upperBound(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A short marker label; the full exit reason is in the trades table. */
function exitLabel(t: Trade): string {
  if (t.exitReason === "dust") return "dust";
  if (t.exitReason === "end of data") return "end";
  return t.direction === "long" ? "sell" : "cover";
}
