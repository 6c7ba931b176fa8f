/** A backtest's report as data: what `--json` prints and what the HTML page is rendered from. */
import { isoOf } from "../data/bars.js";
import type { SimulationSettings } from "../execution/models.js";
import type { BacktestRun } from "../modes/backtest.js";
import { CountingSink, type RuntimeRecord } from "../records.js";
import type { RiskSettings } from "../risk/settings.js";
import { chartPoints, type Summary, summarize } from "./stats.js";

export interface ReportTrade {
  readonly symbol: string;
  readonly direction: "long" | "short";
  readonly entry: string;
  readonly exit: string;
  readonly qty: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly fees: number;
  readonly pnl: number;
  readonly returnPct: number;
}

export interface BacktestReport {
  readonly strategy: string;
  readonly project?: string;
  readonly environment: string;
  readonly data: string;
  readonly symbols: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly summary: Summary;
  /** buy-and-hold of the first symbol over the same bars, for comparison */
  readonly benchmark: { readonly symbol: string; readonly totalReturn: number };
  /** records by kind, refusals by rule: `{ order: 12, fill: 12, "rejected:max_trade_usd": 3 }` */
  readonly decisions: Readonly<Record<string, number>>;
  /** the first refusals, state changes and errors (bounded) */
  readonly notable: readonly RuntimeRecord[];
  readonly trades: readonly ReportTrade[];
  readonly equity: readonly { readonly t: number; readonly equity: number; readonly drawdown: number }[];
  readonly settings: { readonly risk: RiskSettings; readonly simulation?: SimulationSettings };
  readonly generatedAt: string;
}

export interface ReportMeta {
  readonly project?: string;
  readonly environment: string;
  readonly data: string;
  readonly simulation?: SimulationSettings;
  readonly now?: () => Date;
}

export function buildReport<P, S>(run: BacktestRun<P, S>, meta: ReportMeta): BacktestReport {
  const { kernel, series } = run;
  const portfolio = kernel.portfolio;
  const curve = { times: kernel.equity.times(), values: kernel.equity.values, count: kernel.equity.count };
  const summary = summarize(curve, portfolio.trades, run.initialCash, portfolio.feesPaid, portfolio.fills);
  const first = series.length ? series.close[0]! : 0;
  let last = first;
  for (let i = series.length - 1; i >= 0; i--) {
    if (series.symbolIndex[i] === 0) {
      last = series.close[i]!;
      break;
    }
  }
  const sink = run.sink;
  const decisions =
    sink instanceof CountingSink ? sink.all() : countRecords((sink as { records?: RuntimeRecord[] }).records ?? []);
  const notable =
    sink instanceof CountingSink
      ? sink.kept
      : ((sink as { records?: RuntimeRecord[] }).records ?? [])
          .filter((r) => !["order", "fill", "canceled"].includes(r.kind))
          .slice(0, 1000);
  return {
    strategy: kernel.options.strategy.name,
    ...(meta.project ? { project: meta.project } : {}),
    environment: meta.environment,
    data: meta.data,
    symbols: series.symbols,
    from: series.length ? isoOf(series.time[0]!) : "",
    to: series.length ? isoOf(series.time[series.length - 1]!) : "",
    summary,
    benchmark: { symbol: series.symbols[0] ?? "", totalReturn: first > 0 ? last / first - 1 : 0 },
    decisions,
    notable,
    trades: portfolio.trades.map((t) => ({
      symbol: t.symbol,
      direction: t.direction,
      entry: isoOf(t.entryTime),
      exit: isoOf(t.exitTime),
      qty: t.qty,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      fees: t.fees,
      pnl: t.pnl,
      returnPct: t.returnPct,
    })),
    equity: chartPoints(curve, run.initialCash),
    settings: { risk: kernel.options.risk, ...(meta.simulation ? { simulation: meta.simulation } : {}) },
    generatedAt: (meta.now?.() ?? new Date()).toISOString(),
  };
}

function countRecords(records: readonly RuntimeRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const key = r.kind === "rejected" ? `rejected:${String(r.payload.rule)}` : r.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
