/**
 * Backtest mode: historical bars in columns, a simulated clock moved by the data, the simulated broker. The
 * loop is the kernel's hot path and nothing else; progress is reported between chunks, never per bar.
 */
import { SimulatedClock } from "../clock.js";
import type { BarSeries } from "../data/bars.js";
import { DEFAULT_SIMULATION, feeFor, type SimulationSettings } from "../execution/models.js";
import { SimulatedBroker } from "../execution/simulated-broker.js";
import { Kernel } from "../kernel.js";
import type { DustThreshold } from "../portfolio.js";
import { CountingSink, type SignalSink } from "../records.js";
import { DEFAULT_RISK, type RiskSettings } from "../risk/settings.js";
import type { Strategy, StrategyLog } from "../strategy.js";
import type { RuntimeInfo } from "../types.js";
import { ensureSymbols } from "./symbols.js";

export const DEFAULT_INITIAL_CASH = 100_000;
/** bars between two progress reports */
export const PROGRESS_CHUNK = 1 << 16;

export interface BacktestOptions<P, S> {
  readonly strategy: Strategy<P, S>;
  readonly params: P;
  readonly series: BarSeries;
  readonly risk?: RiskSettings;
  readonly simulation?: SimulationSettings;
  readonly initialCash?: number;
  readonly sink?: SignalSink;
  readonly environment?: string;
  readonly data?: string;
  readonly runId?: string;
  readonly log?: StrategyLog;
  readonly onProgress?: (done: number, total: number) => void;
  /** per symbol: when a position counts as flat and is closed out */
  readonly dust?: readonly (DustThreshold | undefined)[];
  /** close what is still held at the last bar's close (fees as the model says, no slippage) */
  readonly closeAtEnd?: boolean;
  /** keep what the strategy plots for the report (default true; a sweep has no report) */
  readonly keepPlots?: boolean;
}

export interface BacktestRun<P, S> {
  readonly kernel: Kernel<P, S>;
  readonly series: BarSeries;
  readonly initialCash: number;
  readonly sink: SignalSink;
}

/**
 * Runs a strategy over historical bars, synchronously, and returns the kernel it ran on (portfolio, trades,
 * equity curve, records in the sink).
 * @throws TroError TRO_ERR_DATA_SOURCE when the bars lack a symbol the strategy trades
 */
export function runBacktest<P, S>(options: BacktestOptions<P, S>): BacktestRun<P, S> {
  const { series, strategy } = options;
  ensureSymbols(strategy, options.params, series);
  const clock = new SimulatedClock(series.length ? series.time[0]! : 0);
  const initialCash = options.initialCash ?? DEFAULT_INITIAL_CASH;
  const simulation = options.simulation ?? DEFAULT_SIMULATION;
  const runtime: RuntimeInfo = {
    mode: "backtest",
    environment: options.environment ?? "development",
    venue: "simulated",
    data: options.data ?? "bars",
  };
  const sink = options.sink ?? new CountingSink();
  const kernel = new Kernel<P, S>({
    strategy,
    params: options.params,
    symbols: series.symbols,
    clock,
    venue: new SimulatedBroker(simulation),
    sink,
    risk: options.risk ?? DEFAULT_RISK,
    initialCash,
    runtime,
    runId: options.runId ?? "backtest",
    log: options.log,
    expectedBars: series.length,
    ...(options.dust ? { dust: options.dust } : {}),
    keepPlots: options.keepPlots ?? true,
  });
  kernel.start();
  const total = series.length;
  for (let start = 0; start < total; start += PROGRESS_CHUNK) {
    const end = Math.min(total, start + PROGRESS_CHUNK);
    kernel.runSeries(series, start, end);
    options.onProgress?.(end, total);
  }
  if (options.closeAtEnd && total > 0) closeAtEnd(kernel, simulation, series.time[total - 1]!);
  kernel.stop();
  return { kernel, series, initialCash, sink };
}

/** Sells (or covers) every open position at its last close, as fills of the run; the last equity point follows. */
function closeAtEnd<P, S>(kernel: Kernel<P, S>, simulation: SimulationSettings, time: number): void {
  const portfolio = kernel.portfolio;
  portfolio.positions.forEach((p, i) => {
    if (p.qty === 0) return;
    const qty = Math.abs(p.qty);
    const fee = feeFor(simulation.fees, qty, p.lastPrice);
    portfolio.applyFill(i, p.qty > 0 ? "sell" : "buy", qty, p.lastPrice, fee, time, END_OF_DATA);
    kernel.record("fill", p.symbol, { orderId: null, side: p.qty > 0 ? "sell" : "buy", qty, price: p.lastPrice, fee });
  });
  const curve = kernel.equity;
  if (curve.count > 0) curve.values[curve.count - 1] = portfolio.equity;
}

/** The exit reason of trades closed because the data ended. */
export const END_OF_DATA = "end of data";
