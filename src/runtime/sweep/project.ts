/** A sweep of a workspace's project: what `tradeops backtest PROJECT --sweep …` runs. */
import { TroError } from "../../errors.js";
import { checkRange, historyFor, type PrepareOptions, planFor, prepareProject } from "../runner.js";
import { expandGrid, parseSweep } from "./grid.js";
import { RANK_METRICS, type RankMetric, runSweep, type SweepOutcome } from "./run.js";

export interface SweepProjectOptions extends PrepareOptions {
  readonly sweeps: readonly string[];
  readonly rankBy?: string;
  readonly walkForward?: string;
  readonly workers?: string;
  readonly data?: string;
  readonly from?: string;
  readonly to?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly workerUrl?: URL;
}

/**
 * Runs the grid the `--sweep` flags describe over the project's bars.
 * @throws TroError TRO_ERR_USAGE for a bad flag, as prepareProject and historyFor otherwise
 */
export async function sweepProject(o: SweepProjectOptions): Promise<SweepOutcome & { readonly axes: string[] }> {
  const axes = o.sweeps.map(parseSweep);
  const rankBy = (o.rankBy ?? "sharpe") as RankMetric;
  if (!RANK_METRICS.includes(rankBy)) {
    throw new TroError("TRO_ERR_USAGE", `--rank-by ${o.rankBy} is not a metric a sweep ranks by.`, {
      hint: `Use one of ${RANK_METRICS.join(", ")}.`,
    });
  }
  const walkForward = o.walkForward === undefined ? undefined : Number(o.walkForward);
  if (walkForward !== undefined && !(walkForward > 0 && walkForward < 1)) {
    throw new TroError("TRO_ERR_USAGE", `--walk-forward ${o.walkForward} is not a fraction between 0 and 1.`, {
      hint: "For example --walk-forward 0.7: 70% of the bars in-sample, the rest out-of-sample.",
    });
  }
  const workers = o.workers === undefined ? undefined : Number(o.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 256)) {
    throw new TroError("TRO_ERR_USAGE", `--workers ${o.workers} is not a whole number from 0 to 256.`, {
      hint: "0 runs in this process; the default is one worker per core.",
    });
  }
  checkRange(o.from, o.to);
  const prepared = await prepareProject(o);
  const sets = expandGrid(axes, prepared.config.values);
  const plan = planFor(prepared, "backtest", { data: o.data });
  const series = historyFor(prepared, o.workspace.root, plan.data, { from: o.from, to: o.to });
  const outcome = await runSweep({
    root: o.workspace.root,
    projectDir: prepared.project.dir,
    strategy: prepared.strategy,
    config: prepared.config.values,
    where: `${prepared.project.name} in ${prepared.environment}`,
    series,
    autoExecute: plan.autoExecute,
    sets,
    rankBy,
    ...(workers !== undefined ? { workers } : {}),
    ...(walkForward !== undefined ? { walkForward } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.workerUrl ? { workerUrl: o.workerUrl } : {}),
  });
  return { ...outcome, axes: axes.map((a) => a.key) };
}
