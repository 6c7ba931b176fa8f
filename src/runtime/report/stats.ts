/**
 * Summary statistics of a run, from its equity curve and its round-trip trades: return, CAGR, max drawdown,
 * Sharpe, trades, win rate, fees. Returns per bar; the bars per year are measured from the data (about 252
 * for daily equity bars), not assumed.
 */
import type { Trade } from "../portfolio.js";

export interface EquityCurve {
  readonly times: Float64Array;
  readonly values: Float64Array;
  readonly count: number;
}

export interface Summary {
  readonly initialCash: number;
  readonly finalEquity: number;
  /** fraction: 0.25 is +25% */
  readonly totalReturn: number;
  readonly cagr: number;
  /** fraction of the high-water mark, ≥ 0 */
  readonly maxDrawdown: number;
  readonly sharpe: number;
  readonly trades: number;
  readonly winRate: number;
  readonly fees: number;
  readonly fills: number;
  readonly bars: number;
  readonly years: number;
  readonly bestTrade: number;
  readonly worstTrade: number;
}

const YEAR_MS = 365.25 * 86_400_000;

/** The curve with one point per time (the last one when several symbols share a time). */
export function dedupeCurve(curve: EquityCurve): EquityCurve {
  const times = new Float64Array(curve.count);
  const values = new Float64Array(curve.count);
  let n = 0;
  for (let i = 0; i < curve.count; i++) {
    const t = curve.times[i]!;
    if (n > 0 && times[n - 1] === t) values[n - 1] = curve.values[i]!;
    else {
      times[n] = t;
      values[n++] = curve.values[i]!;
    }
  }
  return { times: times.subarray(0, n), values: values.subarray(0, n), count: n };
}

export function summarize(
  raw: EquityCurve,
  trades: readonly Trade[],
  initialCash: number,
  fees: number,
  fills: number,
): Summary {
  const curve = dedupeCurve(raw);
  const n = curve.count;
  const finalEquity = n ? curve.values[n - 1]! : initialCash;
  const years = n > 1 ? (curve.times[n - 1]! - curve.times[0]!) / YEAR_MS : 0;
  const totalReturn = finalEquity / initialCash - 1;
  const cagr = years > 0 && finalEquity > 0 ? (finalEquity / initialCash) ** (1 / years) - 1 : 0;
  let peak = initialCash;
  let maxDrawdown = 0;
  let previous = initialCash;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = curve.values[i]!;
    if (v > peak) peak = v;
    const dd = peak > 0 ? 1 - v / peak : 0;
    if (dd > maxDrawdown) maxDrawdown = dd;
    const r = previous !== 0 ? v / previous - 1 : 0;
    sum += r;
    sumSq += r * r;
    previous = v;
  }
  const mean = n ? sum / n : 0;
  const variance = n > 1 ? (sumSq - n * mean * mean) / (n - 1) : 0;
  const perYear = years > 0 ? (n - 1) / years : 0;
  const sharpe = variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(perYear) : 0;
  const wins = trades.filter((t) => t.pnl > 0).length;
  return {
    initialCash,
    finalEquity,
    totalReturn,
    cagr,
    maxDrawdown,
    sharpe,
    trades: trades.length,
    winRate: trades.length ? wins / trades.length : 0,
    fees,
    fills,
    bars: raw.count,
    years,
    bestTrade: trades.reduce((m, t) => Math.max(m, t.pnl), trades.length ? Number.NEGATIVE_INFINITY : 0),
    worstTrade: trades.reduce((m, t) => Math.min(m, t.pnl), trades.length ? Number.POSITIVE_INFINITY : 0),
  };
}

/** At most `points` points of the curve, with the drawdown at each (the deepest of each bucket kept). */
export function chartPoints(
  raw: EquityCurve,
  initialCash: number,
  points = 1200,
): { t: number; equity: number; drawdown: number }[] {
  const curve = dedupeCurve(raw);
  const out: { t: number; equity: number; drawdown: number }[] = [];
  const step = Math.max(1, Math.ceil(curve.count / points));
  let peak = initialCash;
  let worst = 0;
  for (let i = 0; i < curve.count; i++) {
    const v = curve.values[i]!;
    if (v > peak) peak = v;
    const dd = peak > 0 ? 1 - v / peak : 0;
    if (dd > worst) worst = dd;
    if (i % step === step - 1 || i === curve.count - 1) {
      out.push({ t: curve.times[i]!, equity: v, drawdown: worst });
      worst = 0;
    }
  }
  return out;
}
