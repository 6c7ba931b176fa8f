/**
 * Parameter sweeps on every core: the grid is split over worker threads (one per core by default, see ./pool.ts),
 * each loading the strategy once and running batches of parameter sets; the results are ranked by a chosen
 * metric. With walk-forward, each set runs on the first part of the bars (in-sample, what the ranking uses)
 * and on the rest (out-of-sample, shown next to it), so that a ranking is not pure curve fitting.
 */
import { availableParallelism } from "node:os";
import { TroError } from "../../errors.js";
import { moduleCacheOption } from "../../workspace/module-cache.js";
import { type BarSeries, isoOf, sliceSeries } from "../data/bars.js";
import type { Strategy } from "../strategy.js";
import { evaluateSet, type SetMetrics, type SetResult } from "./evaluate.js";
import { runInWorkers, type WorkerInit, type WorkerLoad } from "./pool.js";

export const RANK_METRICS = ["sharpe", "sortino", "calmar", "return", "cagr", "max_drawdown", "profit_factor"] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

export interface SweepOptions {
  readonly root: string;
  readonly projectDir: string;
  readonly strategy: Strategy;
  readonly config: unknown;
  readonly where: string;
  readonly series: BarSeries;
  readonly autoExecute: boolean;
  readonly sets: readonly Readonly<Record<string, number>>[];
  readonly rankBy: RankMetric;
  /** 0: in-process; default one per core */
  readonly workers?: number;
  /** share of the bars (by time) that is in-sample, e.g. 0.7; none: no walk-forward */
  readonly walkForward?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** the worker's module (dist/sweep-worker.js next to the bundle by default) */
  readonly workerUrl?: URL;
}

export interface SweepOutcome {
  readonly rankBy: RankMetric;
  readonly workers: number;
  readonly sets: number;
  readonly skipped: number;
  readonly inSample: { readonly from: string; readonly to: string };
  readonly outOfSample?: { readonly from: string; readonly to: string };
  /** best first; skipped sets last */
  readonly results: readonly SetResult[];
  readonly ms: number;
  /**
   * CPU time of the whole process during the sweep: every thread, so the workers' garbage-collector and compiler
   * threads too, which take a core from a second worker but run beside a single one on an idle core
   */
  readonly cpuMs: number;
  /** per worker thread: sets run, CPU and wall time spent on them, time to start (none in-process) */
  readonly workerLoads: readonly WorkerLoad[];
}

/** @throws TroError TRO_ERR_USAGE for a walk-forward split that leaves one side empty */
export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { inSample, outOfSample } = split(o.series, o.walkForward);
  const base = { config: o.config, where: o.where, inSample, autoExecute: o.autoExecute };
  const init: WorkerInit = {
    ...base,
    ...(outOfSample ? { outOfSample } : {}),
    root: o.root,
    projectDir: o.projectDir,
    moduleCache: moduleCacheOption(),
  };
  const workers = Math.max(0, Math.min(o.workers ?? availableParallelism(), o.sets.length));
  const results: SetResult[] = new Array(o.sets.length);
  let done = 0;
  const finish = (r: SetResult) => {
    results[r.index] = r;
    o.onProgress?.(++done, o.sets.length);
  };
  let workerLoads: WorkerLoad[] = [];
  if (workers === 0) {
    const ctx = { ...init, strategy: o.strategy };
    for (let index = 0; index < o.sets.length; index++) finish(evaluateSet(ctx, index, o.sets[index]!));
  } else workerLoads = await runInWorkers(o.workerUrl ?? defaultWorkerUrl(), init, o.sets, workers, finish);
  const ranked = rank(results, o.rankBy);
  return {
    rankBy: o.rankBy,
    workers,
    sets: o.sets.length,
    skipped: ranked.filter((r) => r.skipped).length,
    inSample: range(inSample),
    ...(outOfSample ? { outOfSample: range(outOfSample) } : {}),
    results: ranked,
    ms: Math.round(performance.now() - started),
    cpuMs: cpuMsSince(cpu),
    workerLoads,
  };
}

/**
 * The built worker next to the bundle (dist/sweep-worker.js); from the TypeScript sources (tests), the built one
 * of the same checkout, since a worker thread cannot load TypeScript by itself.
 */
function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith(".ts")
    ? new URL("../../../dist/sweep-worker.js", import.meta.url)
    : new URL("./sweep-worker.js", import.meta.url);
}

function split(series: BarSeries, share: number | undefined): { inSample: BarSeries; outOfSample?: BarSeries } {
  if (share === undefined) return { inSample: series };
  const cut = series.time[Math.floor(series.length * share)];
  const inSample = sliceSeries(series, undefined, cut);
  const outOfSample = sliceSeries(series, cut, undefined);
  if (cut === undefined || inSample.length < 2 || outOfSample.length < 2) {
    throw new TroError("TRO_ERR_USAGE", `--walk-forward ${share} leaves no bars on one side of the split.`, {
      hint: "Give the in-sample share as a fraction between 0 and 1, e.g. --walk-forward 0.7.",
    });
  }
  return { inSample, outOfSample };
}

const KEY: Record<RankMetric, (m: SetMetrics) => number> = {
  sharpe: (m) => m.sharpe,
  sortino: (m) => m.sortino,
  calmar: (m) => m.calmar,
  return: (m) => m.totalReturn,
  cagr: (m) => m.cagr,
  // smaller is better: ranked by its negative
  max_drawdown: (m) => -m.maxDrawdown,
  profit_factor: (m) => m.profitFactor ?? Number.POSITIVE_INFINITY,
};

function rank(results: readonly SetResult[], by: RankMetric): SetResult[] {
  const key = KEY[by];
  return [...results].sort((a, b) => {
    if (!a.metrics || !b.metrics) return a.metrics ? -1 : b.metrics ? 1 : a.index - b.index;
    return key(b.metrics) - key(a.metrics) || a.index - b.index;
  });
}

function cpuMsSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return Math.round((used.user + used.system) / 1000);
}

function range(s: BarSeries): { from: string; to: string } {
  return { from: isoOf(s.time[0]!), to: isoOf(s.time[s.length - 1]!) };
}
