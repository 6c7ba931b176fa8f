/**
 * From a workspace's project to a run: load the project's config for the environment, its strategy module,
 * validate the strategy's parameters against that config, read the runtime settings, and plan the run. The
 * CLI's backtest and serve commands are thin layers over this.
 */

import { loadConfig, type ResolvedConfig } from "../config/load.js";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { requireProject } from "../workspace/lookup.js";
import type { EnvironmentSettings, Project, Workspace } from "../workspace/types.js";
import type { BarSeries } from "./data/bars.js";
import { isoOf } from "./data/bars.js";
import { type DataSpec, describeSpec, instrumentLabel, loadHistory, parseDataSpec } from "./data/source.js";
import { loadStrategy } from "./load-strategy.js";
import { runBacktest } from "./modes/backtest.js";
import { planRun, type RunPlan } from "./plan.js";
import { type BacktestReport, buildReport } from "./report/build.js";
import { configHash, type RunEntry, saveRun } from "./report/runs.js";
import { dustFor, type RuntimeSettings, runtimeSettings } from "./settings.js";
import { resolveParams, type Strategy, strategySymbols } from "./strategy.js";
import type { ExecutionMode } from "./types.js";

export interface PrepareOptions {
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** times each step (the trading node's start timeline); config and strategy load concurrently */
  readonly phase?: <T>(name: "config" | "strategy", work: () => Promise<T>) => Promise<T>;
}

export interface PreparedProject {
  readonly project: Project;
  readonly environment: EnvironmentName;
  readonly envSettings: EnvironmentSettings;
  readonly config: ResolvedConfig;
  readonly strategy: Strategy;
  readonly strategyFile: string;
  readonly params: unknown;
  readonly symbols: readonly string[];
  readonly settings: RuntimeSettings;
}

/**
 * Loads everything a run of a project needs.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_CONFIG_INVALID, TRO_ERR_STRATEGY_INVALID
 */
export async function prepareProject(o: PrepareOptions): Promise<PreparedProject> {
  const project = requireProject(o.workspace, o.project);
  if (project.kind !== "strategy") {
    throw new TroError("TRO_ERR_USAGE", `Project ${project.name} is a ${project.kind}, not a strategy.`, {
      hint: "Backtests and strategy services run projects of kind: strategy.",
    });
  }
  const phase = o.phase ?? (<T>(_: string, work: () => Promise<T>) => work());
  const [configLoad, strategyLoad] = await Promise.allSettled([
    phase("config", () =>
      loadConfig({ workspace: o.workspace, project: project.name, environment: o.environment, env: o.env }),
    ),
    phase("strategy", () => loadStrategy(project.dir, o.workspace.root)),
  ]);
  // a config error is reported before a strategy error, as when they loaded one after the other
  if (configLoad.status === "rejected") throw configLoad.reason;
  if (strategyLoad.status === "rejected") throw strategyLoad.reason;
  const config = configLoad.value;
  const { strategy, file } = strategyLoad.value;
  const where = `${project.name} in ${o.environment}`;
  const params = resolveParams(strategy, config.values, where);
  return {
    project,
    environment: o.environment,
    envSettings: o.workspace.settings[o.environment]!,
    config,
    strategy,
    strategyFile: file,
    params,
    symbols: strategySymbols(strategy, params, config.values),
    settings: runtimeSettings(config.values, `the config of ${where}`),
  };
}

/** Plans a run of a prepared project. @throws TroError as `planRun` */
export function planFor(
  prepared: PreparedProject,
  command: "backtest" | "serve",
  flags: { mode?: ExecutionMode; data?: string },
): RunPlan {
  return planRun({
    command,
    environment: prepared.environment,
    settings: prepared.envSettings,
    project: prepared.project,
    modeFlag: flags.mode,
    dataFlag: flags.data === undefined ? undefined : parseDataSpec(flags.data, "--data"),
    dataConfig: prepared.settings.data,
    configAutoExecute: prepared.settings.autoExecute,
  });
}

/** Historical bars for a plan's data spec. @throws TroError TRO_ERR_DATA_SOURCE, TRO_ERR_USAGE */
export function historyFor(
  prepared: PreparedProject,
  root: string,
  data: DataSpec,
  range: { from?: string; to?: string } = {},
): BarSeries {
  const { from, to } = checkRange(range.from, range.to);
  const series = loadHistory(data, {
    symbols: prepared.symbols,
    root,
    timeframe: prepared.settings.timeframe,
    from,
    to,
  });
  if (series.length === 0) {
    const all = loadHistory(data, { symbols: prepared.symbols, root, timeframe: prepared.settings.timeframe });
    const asked = `${range.from ?? "the start"} to ${range.to ?? "the end"}`;
    const held = all.length
      ? `from ${isoOf(all.time[0]!).slice(0, 10)} to ${isoOf(all.time[all.length - 1]!).slice(0, 10)}`
      : "no bars at all";
    throw new TroError(
      "TRO_ERR_USAGE",
      `--from/--to ${asked} is outside the data: ${describeSpec(data)} holds ${held}.`,
      {
        hint: "Give --from and --to within that range (both days are included).",
      },
    );
  }
  return series;
}

export interface BacktestProjectOptions extends PrepareOptions {
  readonly data?: string;
  readonly from?: string;
  readonly to?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly now?: () => Date;
  /** close what is still held at the last bar (default: backtest.close_at_end in the config) */
  readonly closeAtEnd?: boolean;
  /** keep the run under .tradeops/backtests/<project>/<timestamp>/ (what the CLI does) */
  readonly keep?: boolean;
  /** starting cash, overriding the config's `backtest.initial_cash` */
  readonly initialCash?: number;
}

export interface BacktestOutcome {
  readonly prepared: PreparedProject;
  readonly plan: RunPlan;
  readonly report: BacktestReport;
  /** sha256 of the resolved config the run used */
  readonly configHash: string;
  /** where the run was kept, when asked to keep it */
  readonly run?: RunEntry & { readonly html: string; readonly json: string };
}

/**
 * Backtests a project on the environment's config: what `tradeops backtest` runs.
 * @throws TroError as prepareProject, planRun and historyFor
 */
export async function backtestProject(o: BacktestProjectOptions): Promise<BacktestOutcome> {
  // flags first: a typo should not wait for the strategy module to load
  if (o.data !== undefined) parseDataSpec(o.data, "--data");
  checkRange(o.from, o.to);
  const prepared = await prepareProject(o);
  const plan = planFor(prepared, "backtest", { data: o.data });
  const series = historyFor(prepared, o.workspace.root, plan.data, { from: o.from, to: o.to });
  const { settings } = prepared;
  const run = runBacktest({
    strategy: prepared.strategy,
    params: prepared.params,
    series,
    risk: { ...settings.risk, autoExecute: plan.autoExecute },
    simulation: settings.simulation,
    initialCash: o.initialCash ?? settings.initialCash,
    environment: prepared.environment,
    data: plan.data.kind,
    onProgress: o.onProgress,
    dust: dustFor(settings, series.symbols),
    closeAtEnd: o.closeAtEnd ?? settings.closeAtEnd,
  });
  const report = buildReport(run, {
    project: prepared.project.name,
    environment: prepared.environment,
    data: describeData(plan),
    simulation: settings.simulation,
    now: o.now,
    labels: Object.fromEntries(series.symbols.map((s) => [s, instrumentLabel(plan.data, s)])),
  });
  const hash = configHash(prepared.config.values);
  const kept = o.keep ? saveRun(o.workspace.root, prepared.project.name, report, hash, o.now?.()) : undefined;
  return { prepared, plan, report, configHash: hash, ...(kept ? { run: kept } : {}) };
}

function describeData(plan: RunPlan): string {
  const d = plan.data;
  return d.kind === "sample" ? `sample:${d.name}` : d.kind === "csv" ? `csv:${d.path}` : d.kind;
}

/**
 * `--from` and `--to` as a half-open range of epoch ms: both days are included (`--to 2010-12-31` keeps that
 * day's bar), as in every command that takes dates.
 * @throws TroError TRO_ERR_USAGE for a date that is not one, or a range that is empty
 */
export function checkRange(fromText: string | undefined, toText: string | undefined): { from?: number; to?: number } {
  const from = parseDay(fromText, "--from");
  const toStart = parseDay(toText, "--to");
  const to = toStart === undefined ? undefined : toText && DAY_ONLY.test(toText) ? toStart + DAY_MS : toStart + 1;
  if (from !== undefined && to !== undefined && from >= to) {
    throw new TroError("TRO_ERR_USAGE", `--from ${fromText} is after --to ${toText}.`, {
      hint: "Give a range with --from on or before --to (both days are included).",
    });
  }
  return { from, to };
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** `2020-01-31` (UTC midnight) or a full ISO time. @throws TroError TRO_ERR_USAGE */
export function parseDay(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const t = DAY_ONLY.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (!Number.isFinite(t)) {
    throw new TroError("TRO_ERR_USAGE", `${flag} ${text} is not a date.`, {
      hint: `Write it as YYYY-MM-DD, e.g. ${flag} 2010-01-01.`,
    });
  }
  return t;
}
