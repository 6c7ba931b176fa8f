/**
 * The report's second row of numbers, the ones a quant looks for next to return and drawdown: exposure,
 * profit factor, expectancy, Sortino, Calmar, the longest drawdown, monthly and yearly returns, and a
 * per-symbol breakdown. All from the equity curve and the trades, none from the hot path.
 */
import type { OpenTrade, Trade } from "../portfolio.js";
import type { EquityCurve } from "./stats.js";

export interface TradeMetrics {
  /** gross profit / gross loss of closed trades; null when nothing was lost */
  readonly profitFactor: number | null;
  /** mean net P&L per closed trade, in cash */
  readonly expectancy: number;
  readonly avgWin: number;
  readonly avgLoss: number;
  /** mean calendar days a closed trade was held */
  readonly avgTradeDays: number;
}

export interface CurveMetrics {
  readonly sortino: number;
  /** CAGR / max drawdown; 0 without a drawdown */
  readonly calmar: number;
  /** share of the curve's points with a position held */
  readonly exposure: number;
  /** the longest stretch below a high-water mark, in days (to recovery, or to the end) */
  readonly longestDrawdownDays: number;
  readonly bestDay: number;
  readonly worstDay: number;
}

export interface YearReturns {
  readonly year: number;
  /** January … December; null for a month without data */
  readonly months: readonly (number | null)[];
  readonly total: number;
}

export interface SymbolBreakdown {
  readonly symbol: string;
  readonly trades: number;
  readonly winRate: number;
  /** net P&L of closed trades */
  readonly pnl: number;
  /** P&L of the open trade, marked to market */
  readonly openPnl: number;
  readonly fees: number;
}

const DAY_MS = 86_400_000;

export function tradeMetrics(trades: readonly Trade[]): TradeMetrics {
  let won = 0;
  let lost = 0;
  let wins = 0;
  let days = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      won += t.pnl;
      wins++;
    } else lost -= t.pnl;
    days += (t.exitTime - t.entryTime) / DAY_MS;
  }
  const n = trades.length;
  return {
    profitFactor: lost > 0 ? won / lost : null,
    expectancy: n ? (won - lost) / n : 0,
    avgWin: wins ? won / wins : 0,
    avgLoss: n - wins ? -lost / (n - wins) : 0,
    avgTradeDays: n ? days / n : 0,
  };
}

/** `curve` has one point per time (deduped); `perYear` is the measured points per year. */
export function curveMetrics(
  curve: EquityCurve,
  initialCash: number,
  cagr: number,
  maxDrawdown: number,
  perYear: number,
  held: readonly { readonly from: number; readonly to: number }[],
): CurveMetrics {
  const n = curve.count;
  let previous = initialCash;
  let bestDay = 0;
  let worstDay = 0;
  let peak = initialCash;
  let peakTime = n ? curve.times[0]! : 0;
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const v = curve.values[i]!;
    const t = curve.times[i]!;
    const r = previous !== 0 ? v / previous - 1 : 0;
    if (r > bestDay) bestDay = r;
    if (r < worstDay) worstDay = r;
    previous = v;
    if (v >= peak) {
      longest = Math.max(longest, t - peakTime);
      peak = v;
      peakTime = t;
    }
  }
  if (n) longest = Math.max(longest, curve.times[n - 1]! - peakTime);
  return {
    sortino: sortinoRatio(curve, initialCash, perYear),
    calmar: calmarRatio(cagr, maxDrawdown),
    exposure: exposure(curve, held),
    longestDrawdownDays: Math.round(longest / DAY_MS),
    bestDay,
    worstDay,
  };
}

/**
 * Annualised Sortino ratio: the mean point-to-point return (the first from the initial cash) over the root mean
 * square of the negative ones. A sweep ranks by it without the rest of curveMetrics.
 */
export function sortinoRatio(curve: EquityCurve, initialCash: number, perYear: number): number {
  const n = curve.count;
  let previous = initialCash;
  let sum = 0;
  let downSq = 0;
  for (let i = 0; i < n; i++) {
    const v = curve.values[i]!;
    const r = previous !== 0 ? v / previous - 1 : 0;
    sum += r;
    if (r < 0) downSq += r * r;
    previous = v;
  }
  const mean = n ? sum / n : 0;
  const downside = n ? Math.sqrt(downSq / n) : 0;
  return downside > 0 ? (mean / downside) * Math.sqrt(perYear) : 0;
}

export function calmarRatio(cagr: number, maxDrawdown: number): number {
  return maxDrawdown > 0 ? cagr / maxDrawdown : 0;
}

/** Share of curve points inside a holding interval (intervals sorted by start; they may overlap). */
function exposure(curve: EquityCurve, held: readonly { readonly from: number; readonly to: number }[]): number {
  if (!curve.count || !held.length) return 0;
  const sorted = [...held].sort((a, b) => a.from - b.from);
  let k = 0;
  let reach = Number.NEGATIVE_INFINITY;
  let inside = 0;
  for (let i = 0; i < curve.count; i++) {
    const t = curve.times[i]!;
    while (k < sorted.length && sorted[k]!.from <= t) reach = Math.max(reach, sorted[k++]!.to);
    if (t < reach) inside++;
  }
  return inside / curve.count;
}

/** Month-end over previous month-end equity (the first month from the initial cash); years likewise. */
export function periodReturns(curve: EquityCurve, initialCash: number): YearReturns[] {
  const years = new Map<number, { months: (number | null)[]; start: number; end: number }>();
  let monthStart = initialCash;
  let yearStart = initialCash;
  let current = -1;
  let last = initialCash;
  const closeMonth = (key: number, end: number) => {
    const year = Math.floor(key / 12);
    let row = years.get(year);
    if (!row) {
      row = { months: Array(12).fill(null), start: yearStart, end };
      years.set(year, row);
    }
    row.months[key % 12] = monthStart ? end / monthStart - 1 : 0;
    row.end = end;
    monthStart = end;
  };
  for (let i = 0; i < curve.count; i++) {
    const d = new Date(curve.times[i]!);
    const key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (current >= 0 && key !== current) {
      closeMonth(current, last);
      if (Math.floor(key / 12) !== Math.floor(current / 12)) yearStart = last;
    }
    current = key;
    last = curve.values[i]!;
  }
  if (current >= 0) closeMonth(current, last);
  return [...years.entries()].map(([year, row]) => ({
    year,
    months: row.months,
    total: row.start ? row.end / row.start - 1 : 0,
  }));
}

export function symbolBreakdown(
  symbols: readonly string[],
  trades: readonly Trade[],
  open: readonly OpenTrade[],
): SymbolBreakdown[] {
  return symbols.map((symbol) => {
    const mine = trades.filter((t) => t.symbol === symbol);
    const openOnes = open.filter((t) => t.symbol === symbol);
    return {
      symbol,
      trades: mine.length,
      winRate: mine.length ? mine.filter((t) => t.pnl > 0).length / mine.length : 0,
      pnl: mine.reduce((a, t) => a + t.pnl, 0),
      openPnl: openOnes.reduce((a, t) => a + t.pnl, 0),
      fees: mine.reduce((a, t) => a + t.fees, 0) + openOnes.reduce((a, t) => a + t.fees, 0),
    };
  });
}
