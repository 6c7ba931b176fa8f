/** A backtest's report as data: what `--json` prints and what the HTML page is rendered from. */
import { isoOf } from "../data/bars.js";
import type { SimulationSettings } from "../execution/models.js";
import type { BacktestRun } from "../modes/backtest.js";
import { CountingSink, type RuntimeRecord } from "../records.js";
import type { RiskSettings } from "../risk/settings.js";
import { buyAndHold, type PriceChart, priceChart } from "./chart-data.js";
import {
  type CurveMetrics,
  curveMetrics,
  periodReturns,
  type SymbolBreakdown,
  symbolBreakdown,
  type TradeMetrics,
  tradeMetrics,
  type YearReturns,
} from "./metrics.js";
import { type Reconciliation, reconcile } from "./reconcile.js";
import { chartPoints, dedupeCurve, type Summary, summarize } from "./stats.js";

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
  /** calendar days from entry to exit */
  readonly days: number;
  /** the closing order's reason, `dust` (closed out below the instrument's threshold) or `end of data` */
  readonly exitReason: string;
}

/** A position still held when the data ended, marked to its last close (freqtrade's "left open trades"). */
export interface ReportOpenTrade {
  readonly symbol: string;
  readonly direction: "long" | "short";
  readonly entry: string;
  readonly qty: number;
  readonly entryPrice: number;
  readonly lastPrice: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly fees: number;
  readonly pnl: number;
  readonly days: number;
}

/** Where the bars of a symbol come from, in words (`S&P 500 index level, daily closes — as SPY`). */
export interface ReportInstrument {
  readonly symbol: string;
  readonly label: string;
}

export interface BacktestReport {
  readonly strategy: string;
  readonly project?: string;
  readonly environment: string;
  readonly data: string;
  readonly symbols: readonly string[];
  /** what each symbol's bars are, from the data source */
  readonly instruments: readonly ReportInstrument[];
  readonly from: string;
  readonly to: string;
  readonly summary: Summary;
  /** buy-and-hold of the first symbol over the same bars, for comparison */
  readonly benchmark: { readonly symbol: string; readonly label: string; readonly totalReturn: number };
  /** records by kind, refusals by rule: `{ order: 12, fill: 12, "rejected:max_trade_usd": 3 }` */
  readonly decisions: Readonly<Record<string, number>>;
  /** the first refusals, state changes and errors (bounded), signals apart */
  readonly notable: readonly RuntimeRecord[];
  /** the first signals (bounded) */
  readonly signals: readonly RuntimeRecord[];
  readonly metrics: TradeMetrics & CurveMetrics;
  /** by year, January to December, and the year's total */
  readonly returns: readonly YearReturns[];
  readonly bySymbol: readonly SymbolBreakdown[];
  /** the first symbol's closes, the strategy's plotted lines and the trades' entries and exits */
  readonly chart: PriceChart;
  readonly trades: readonly ReportTrade[];
  /** positions held at the end, marked to market (none when the run closed them at the last bar) */
  readonly openTrades: readonly ReportOpenTrade[];
  /** realised + open − fees = final equity − initial cash, checked to the cent */
  readonly reconciliation: Reconciliation;
  /** fills against trades, in one sentence */
  readonly fillsExplained: string;
  /** equity, drawdown and the buy-and-hold benchmark (scaled to the initial cash) at each chart point */
  readonly equity: readonly {
    readonly t: number;
    readonly equity: number;
    readonly drawdown: number;
    readonly benchmark: number;
  }[];
  readonly settings: { readonly risk: RiskSettings; readonly simulation?: SimulationSettings };
  readonly generatedAt: string;
}

export interface ReportMeta {
  readonly project?: string;
  readonly environment: string;
  readonly data: string;
  readonly simulation?: SimulationSettings;
  readonly now?: () => Date;
  /** what each symbol's bars are (default: the symbol itself) */
  readonly labels?: Readonly<Record<string, string>>;
}

const DAY_MS = 86_400_000;

export function buildReport<P, S>(run: BacktestRun<P, S>, meta: ReportMeta): BacktestReport {
  const { kernel, series } = run;
  const portfolio = kernel.portfolio;
  const curve = { times: kernel.equity.times(), values: kernel.equity.values, count: kernel.equity.count };
  const summary = summarize(curve, portfolio.trades, run.initialCash, portfolio.feesPaid, portfolio.fills);
  const open = portfolio.openTrades();
  const reconciliation = reconcile(portfolio.trades, open, run.initialCash, summary.finalEquity);
  const lastTime = series.length ? series.time[series.length - 1]! : 0;
  const label = (symbol: string) => meta.labels?.[symbol] ?? symbol;
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
  const kept =
    sink instanceof CountingSink
      ? sink.kept
      : ((sink as { records?: RuntimeRecord[] }).records ?? []).filter(
          (r) => !["order", "fill", "canceled"].includes(r.kind),
        );
  const notable = kept.filter((r) => r.kind !== "signal").slice(0, 1000);
  const signals = kept.filter((r) => r.kind === "signal").slice(0, 1000);
  const unique = dedupeCurve(curve);
  const perYear = summary.years > 0 ? (unique.count - 1) / summary.years : 0;
  const held = [
    ...portfolio.trades.map((t) => ({ from: t.entryTime, to: t.exitTime })),
    ...open.map((t) => ({ from: t.entryTime, to: Number.POSITIVE_INFINITY })),
  ];
  const points = chartPoints(curve, run.initialCash);
  const bench = buyAndHold(
    series,
    0,
    run.initialCash,
    points.map((p) => p.t),
  );
  return {
    strategy: kernel.options.strategy.name,
    ...(meta.project ? { project: meta.project } : {}),
    environment: meta.environment,
    data: meta.data,
    symbols: series.symbols,
    instruments: series.symbols.map((symbol) => ({ symbol, label: label(symbol) })),
    from: series.length ? isoOf(series.time[0]!) : "",
    to: series.length ? isoOf(series.time[series.length - 1]!) : "",
    summary,
    benchmark: {
      symbol: series.symbols[0] ?? "",
      label: label(series.symbols[0] ?? ""),
      totalReturn: first > 0 ? last / first - 1 : 0,
    },
    decisions,
    notable,
    signals,
    metrics: {
      ...tradeMetrics(portfolio.trades),
      ...curveMetrics(unique, run.initialCash, summary.cagr, summary.maxDrawdown, perYear, held),
    },
    returns: periodReturns(unique, run.initialCash),
    bySymbol: symbolBreakdown(series.symbols, portfolio.trades, open),
    chart: priceChart(series, 0, portfolio.trades, open, kernel.plots),
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
      days: Math.round((t.exitTime - t.entryTime) / DAY_MS),
      exitReason: t.exitReason,
    })),
    openTrades: open.map((t) => ({
      symbol: t.symbol,
      direction: t.direction,
      entry: isoOf(t.entryTime),
      qty: t.qty,
      entryPrice: t.entryPrice,
      lastPrice: t.lastPrice,
      realized: t.realized,
      unrealized: t.unrealized,
      fees: t.fees,
      pnl: t.pnl,
      days: Math.round((lastTime - t.entryTime) / DAY_MS),
    })),
    reconciliation,
    fillsExplained: explainFills(portfolio.fills, portfolio.trades.length, open.length, portfolio.dustCloses),
    equity: points.map((p, i) => ({ ...p, benchmark: bench[i]! })),
    settings: { risk: kernel.options.risk, ...(meta.simulation ? { simulation: meta.simulation } : {}) },
    generatedAt: (meta.now?.() ?? new Date()).toISOString(),
  };
}

/** A trade is a round trip from flat to flat; a strategy that scales in and out makes many fills per trade. */
export function explainFills(fills: number, trades: number, open: number, dust: number): string {
  const trips = trades + open;
  const parts = [
    `${fills.toLocaleString("en-US")} fill${fills === 1 ? "" : "s"} made ${trades} closed trade${trades === 1 ? "" : "s"}` +
      (open ? ` and ${open} open one${open === 1 ? "" : "s"}` : ""),
  ];
  if (trips && fills > trips) {
    parts.push(
      `a trade runs from flat to flat, and this strategy scales in and out: ${(fills / trips).toFixed(1)} fills per trade`,
    );
  }
  if (dust) parts.push(`${dust} closed out as dust below the instrument's lot size or minimum notional`);
  return parts.join("; ");
}

function countRecords(records: readonly RuntimeRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const key = r.kind === "rejected" ? `rejected:${String(r.payload.rule)}` : r.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
