/**
 * One parameter set of a sweep: the config with its overrides, the strategy's parameters and the runtime
 * settings from it, a backtest on the bars (in-sample, and out-of-sample with walk-forward), and the metrics a
 * sweep ranks by. The same function runs in a worker thread and in-process.
 */
import type { BarSeries } from "../data/bars.js";
import { runBacktest } from "../modes/backtest.js";
import { calmarRatio, sortinoRatio, tradeMetrics } from "../report/metrics.js";
import { reconcile } from "../report/reconcile.js";
import { dedupeCurve, summarize } from "../report/stats.js";
import type { RiskSettings } from "../risk/settings.js";
import { dustFor, type RuntimeSettings, runtimeSettings } from "../settings.js";
import { resolveParams, type Strategy } from "../strategy.js";
import { applyOverrides } from "./grid.js";

export interface SetMetrics {
  readonly totalReturn: number;
  readonly cagr: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly calmar: number;
  readonly maxDrawdown: number;
  readonly trades: number;
  readonly winRate: number;
  readonly profitFactor: number | null;
  readonly finalEquity: number;
}

export interface SetResult {
  readonly index: number;
  readonly params: Readonly<Record<string, number>>;
  /** in-sample (the whole range without walk-forward) */
  readonly metrics?: SetMetrics;
  /** out-of-sample, with walk-forward */
  readonly outOfSample?: SetMetrics;
  /** why the set did not run (its parameters do not validate …) */
  readonly skipped?: string;
}

export interface SweepContext {
  readonly strategy: Strategy;
  readonly config: unknown;
  readonly where: string;
  readonly inSample: BarSeries;
  readonly outOfSample?: BarSeries;
  readonly autoExecute: boolean;
}

/**
 * The config's top-level keys that the runtime settings are read from (`runtimeSettings`, a test holds it to
 * that): a set that overrides none of them, as a sweep of strategy parameters does, runs with the settings of
 * the sweep's config, read once per context instead of once per set.
 */
export const SETTINGS_ROOTS: readonly string[] = ["trading", "risk", "data", "backtest", "instruments"];

interface SetSettings {
  readonly settings: RuntimeSettings;
  readonly risk: RiskSettings;
}

const shared = new WeakMap<SweepContext, SetSettings>();

function settingsOf(ctx: SweepContext, config: unknown, params: Readonly<Record<string, number>>): SetSettings {
  const own = Object.keys(params).some((key) => SETTINGS_ROOTS.includes(key.split(".", 1)[0]!));
  const cached = own ? undefined : shared.get(ctx);
  if (cached) return cached;
  const settings = runtimeSettings(config, `the config of ${ctx.where}`);
  // not a spread: `{ ...a, b }` has a new map per call in V8 11, which deoptimises the risk checks per set
  const made = { settings, risk: Object.assign({}, settings.risk, { autoExecute: ctx.autoExecute }) };
  if (!own) shared.set(ctx, made);
  return made;
}

export function evaluateSet(ctx: SweepContext, index: number, params: Readonly<Record<string, number>>): SetResult {
  try {
    const config = applyOverrides(ctx.config, params);
    const resolved = resolveParams(ctx.strategy, config, ctx.where);
    const { settings, risk } = settingsOf(ctx, config, params);
    const run = (series: BarSeries): SetMetrics => {
      const result = runBacktest({
        strategy: ctx.strategy,
        params: resolved,
        series,
        risk,
        simulation: settings.simulation,
        initialCash: settings.initialCash,
        dust: dustFor(settings, series.symbols),
        closeAtEnd: settings.closeAtEnd,
        keepPlots: false,
      });
      return metricsOf(result.kernel, settings.initialCash);
    };
    return {
      index,
      params,
      metrics: run(ctx.inSample),
      ...(ctx.outOfSample ? { outOfSample: run(ctx.outOfSample) } : {}),
    };
  } catch (error) {
    return { index, params, skipped: (error as Error).message };
  }
}

function metricsOf(kernel: ReturnType<typeof runBacktest>["kernel"], initialCash: number): SetMetrics {
  const portfolio = kernel.portfolio;
  // deduped here for the Sortino ratio (summarize's own pass finds nothing more to merge); only what a sweep ranks
  // and shows is computed, with the report's formulas (no exposure, holding intervals or best day per set)
  const curve = dedupeCurve({ times: kernel.equity.times(), values: kernel.equity.values, count: kernel.equity.count });
  const s = summarize(curve, portfolio.trades, initialCash, portfolio.feesPaid, portfolio.fills);
  reconcile(portfolio.trades, portfolio.openTrades(), initialCash, s.finalEquity); // every run, as in a single backtest
  const perYear = s.years > 0 ? (curve.count - 1) / s.years : 0;
  return {
    totalReturn: s.totalReturn,
    cagr: s.cagr,
    sharpe: s.sharpe,
    sortino: sortinoRatio(curve, initialCash, perYear),
    calmar: calmarRatio(s.cagr, s.maxDrawdown),
    maxDrawdown: s.maxDrawdown,
    trades: s.trades,
    winRate: s.winRate,
    profitFactor: tradeMetrics(portfolio.trades).profitFactor,
    finalEquity: s.finalEquity,
  };
}
