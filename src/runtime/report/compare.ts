/**
 * Two kept backtest runs side by side: their headline numbers, what they ran on, and a diff of their
 * decisions (signals, then trades) that names the first one that differs.
 */
import type { BacktestReport } from "./build.js";
import type { RunEntry } from "./runs.js";

export interface CompareRow {
  readonly metric: string;
  readonly a: number | string | null;
  readonly b: number | string | null;
  /** b − a for numbers */
  readonly change: number | null;
  readonly unit: "pct" | "usd" | "num" | "text";
}

export interface DecisionDiff {
  readonly what: "signals" | "trades";
  readonly a: number;
  readonly b: number;
  readonly same: number;
  /** the first position where the two lists differ, with each side's entry there (null: the list ended) */
  readonly firstDivergence: { readonly index: number; readonly a: string | null; readonly b: string | null } | null;
}

export interface RunComparison {
  readonly a: RunEntry;
  readonly b: RunEntry;
  readonly rows: readonly CompareRow[];
  readonly decisions: readonly DecisionDiff[];
}

export function compareRuns(
  a: { entry: RunEntry; report: BacktestReport },
  b: { entry: RunEntry; report: BacktestReport },
): RunComparison {
  const ra = a.report;
  const rb = b.report;
  const num = (metric: string, unit: CompareRow["unit"], get: (r: BacktestReport) => number | null): CompareRow => {
    const va = get(ra);
    const vb = get(rb);
    return { metric, a: va, b: vb, change: va === null || vb === null ? null : vb - va, unit };
  };
  const text = (metric: string, va: string, vb: string): CompareRow => ({
    metric,
    a: va,
    b: vb,
    change: null,
    unit: "text",
  });
  const rows: CompareRow[] = [
    text("config hash", a.entry.configHash.slice(0, 12), b.entry.configHash.slice(0, 12)),
    text("data", ra.data, rb.data),
    text("range", range(ra), range(rb)),
    num("return", "pct", (r) => r.summary.totalReturn),
    num("CAGR", "pct", (r) => r.summary.cagr),
    num("max drawdown", "pct", (r) => r.summary.maxDrawdown),
    num("Sharpe", "num", (r) => r.summary.sharpe),
    num("Sortino", "num", (r) => r.metrics?.sortino ?? null),
    num("Calmar", "num", (r) => r.metrics?.calmar ?? null),
    num("exposure", "pct", (r) => r.metrics?.exposure ?? null),
    num("trades", "num", (r) => r.summary.trades),
    num("win rate", "pct", (r) => r.summary.winRate),
    num("profit factor", "num", (r) => r.metrics?.profitFactor ?? null),
    num("expectancy", "usd", (r) => r.metrics?.expectancy ?? null),
    num("fees", "usd", (r) => r.summary.fees),
    num("final equity", "usd", (r) => r.summary.finalEquity),
  ];
  return {
    a: a.entry,
    b: b.entry,
    rows,
    decisions: [
      diffDecisions("signals", (ra.signals ?? []).map(signalKey), (rb.signals ?? []).map(signalKey)),
      diffDecisions("trades", ra.trades.map(tradeKey), rb.trades.map(tradeKey)),
    ],
  };
}

function range(r: BacktestReport): string {
  return `${r.from.slice(0, 10)} → ${r.to.slice(0, 10)}`;
}

function signalKey(s: {
  time: number;
  symbol: string | undefined;
  payload: Readonly<Record<string, unknown>>;
}): string {
  return `${new Date(s.time).toISOString().slice(0, 10)} ${s.symbol ?? ""} ${String(s.payload.side)}`;
}

function tradeKey(t: BacktestReport["trades"][number]): string {
  return `${t.symbol} ${t.direction} ${t.entry.slice(0, 10)} → ${t.exit.slice(0, 10)} qty ${+t.qty.toFixed(6)}`;
}

/** Two lists of decisions, position by position: how many agree before the first that differs, and that one. */
export function diffDecisions(what: DecisionDiff["what"], a: readonly string[], b: readonly string[]): DecisionDiff {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  const differs = i < n || a.length !== b.length;
  return {
    what,
    a: a.length,
    b: b.length,
    same: i,
    firstDivergence: differs ? { index: i, a: a[i] ?? null, b: b[i] ?? null } : null,
  };
}
