/**
 * Signal parity before a strategy deploy: the new release replays the bars the active release saw (the most
 * recent archived window) and its signals are diffed against what the active release recorded in the signal log
 * on the same bars; the first decision that differs is named, as `backtest compare` names it between two runs.
 */
import { existsSync } from "node:fs";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { openSignalStoreAt, signalStoreLocation } from "../signals/open.js";
import { loadWorkspace } from "../workspace/load.js";
import type { Workspace } from "../workspace/types.js";
import { openBarArchive } from "./data/archive.js";
import { isoOf } from "./data/bars.js";
import { type DataSpec, describeSpec, loadHistory, resolvePath } from "./data/source.js";
import { runBacktest } from "./modes/backtest.js";
import type { RuntimeRecord, SignalSink } from "./records.js";
import { type DecisionDiff, diffDecisions } from "./report/compare.js";
import { planFor, prepareProject } from "./runner.js";
import { dustFor } from "./settings.js";

export const DEFAULT_PARITY_DAYS = 30;
const DAY_MS = 86_400_000;

export interface ParityRequest {
  /** the new release as it will run: its staged workspace (the artifact's directory) */
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  /** where the config's `${VAR}` and the signal store's setting are looked up */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the release serving now, whose records are compared */
  readonly activeRelease: string;
  /** the directory the active release runs in: its relative signal store and bar archive resolve there */
  readonly activeRoot: string;
  /** how many days before the newest bar are compared */
  readonly days: number;
}

export interface ParityOutcome {
  /** `no-records`: the active release recorded no decision yet; nothing to compare */
  readonly status: "no-records" | "same" | "diverged";
  readonly activeRelease: string;
  /** the store the active release's records came from (no password) */
  readonly store: string;
  /** the bars replayed */
  readonly data: string;
  /** the compared bar times, ISO */
  readonly window?: { readonly from: string; readonly to: string };
  /** `signals` diff: a = the active release's records, b = the new release's replay */
  readonly diff?: DecisionDiff;
}

/** Keeps the replay's signals (and nothing else). */
class SignalsOnly implements SignalSink {
  readonly signals: RuntimeRecord[] = [];
  append(record: RuntimeRecord): void {
    if (record.kind === "signal") this.signals.push(record);
  }
}

interface Decision {
  readonly time: number;
  readonly key: string;
}

const byTimeThenKey = (a: Decision, b: Decision) => a.time - b.time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** One decision as both sides spell it: bar time, symbol, side. */
export function decisionKey(time: number, symbol: string | undefined, side: unknown): string {
  return `${new Date(time).toISOString()} ${symbol ?? "-"} ${String(side)}`;
}

/**
 * Replays the new release and diffs its signals against the active release's records.
 * @throws TroError as prepareProject (the new release's config or strategy), TRO_ERR_SIGNALS_STORE (the active
 *   release's store cannot be read), TRO_ERR_DATA_SOURCE (no bars to replay)
 */
export async function checkSignalParity(request: ParityRequest): Promise<ParityOutcome> {
  const location = signalStoreLocation({ ...request.workspace, root: request.activeRoot }, request.environment, {
    ...request.env,
  });
  const base = { activeRelease: request.activeRelease, store: location.display };
  if (location.backend === "none") return { ...base, status: "no-records", data: "-" };
  const recorded = await recordedDecisions(request, location);
  if (!recorded.decisions.length) return { ...base, status: "no-records", data: "-" };
  const prepared = await prepareProject({
    workspace: request.workspace,
    project: request.project,
    environment: request.environment,
    env: request.env,
  });
  const plan = planFor(prepared, "serve", {});
  const spec = replaySpec(plan.data, prepared.settings.archive);
  const root = spec.kind === "csv" ? request.workspace.root : request.activeRoot;
  const timeframe =
    spec.kind === "archive"
      ? archivedTimeframe(resolvePath(root, spec.path!), prepared.symbols, prepared.settings.timeframe)
      : prepared.settings.timeframe;
  const data = `${describeSpec(spec)}${spec.kind === "archive" ? ` (${timeframe})` : ""}`;
  const all = loadHistory(spec, { symbols: prepared.symbols, root, timeframe });
  // a live feed's archive holds exactly what the active release saw; a replay got as far as its newest record
  const end = spec.kind === "archive" && all.length ? all.time[all.length - 1]! : recorded.newest;
  const series = loadHistory(spec, { symbols: prepared.symbols, root, timeframe, to: end + 1 });
  const from = Math.max(end - request.days * DAY_MS, series.length ? series.time[0]! : end);
  const sink = new SignalsOnly();
  const { settings } = prepared;
  runBacktest({
    strategy: prepared.strategy,
    params: prepared.params,
    series,
    risk: { ...settings.risk, autoExecute: plan.autoExecute },
    simulation: settings.simulation,
    initialCash: settings.initialCash,
    environment: request.environment,
    data: spec.kind,
    sink,
    dust: dustFor(settings, series.symbols),
    keepPlots: false,
  });
  const inWindow = (d: Decision) => d.time >= from && d.time <= end;
  const active = recorded.decisions.filter(inWindow).map((d) => d.key);
  const replayed = sink.signals
    .map((s) => {
      const time = typeof s.payload.bar === "string" ? Date.parse(s.payload.bar) : s.time;
      return { time, key: decisionKey(time, s.symbol, s.payload.side) };
    })
    .filter(inWindow)
    .sort(byTimeThenKey)
    .map((d) => d.key);
  const diff = diffDecisions("signals", active, replayed);
  return {
    ...base,
    status: diff.firstDivergence ? "diverged" : "same",
    data,
    window: { from: isoOf(from), to: isoOf(end) },
    diff,
  };
}

const TIMEFRAMES = ["1Min", "5Min", "15Min", "30Min", "1Hour", "4Hour", "1Day", "1Week"];

/**
 * The timeframe the active release archived: the configured one when the archive holds it for every symbol, else
 * the one other timeframe it holds for all of them (the bars it saw are what is replayed).
 * @throws TroError TRO_ERR_DATA_SOURCE when the archive does not exist (it is never created here)
 */
function archivedTimeframe(path: string, symbols: readonly string[], configured: string): string {
  if (!existsSync(path)) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `The active release's bar archive ${path} does not exist.`, {
      hint: "It is written as the release receives live bars; without it the bars it saw cannot be replayed.",
    });
  }
  const archive = openBarArchive(path);
  try {
    const held = (tf: string) => symbols.every((s) => archive.coverage(s, tf).count > 0);
    if (held(configured)) return configured;
    const others = TIMEFRAMES.filter((tf) => tf !== configured && held(tf));
    return others.length === 1 ? others[0]! : configured;
  } finally {
    archive.close();
  }
}

/** What the new release replays: the archive a live feed fills (in the active release's directory), or history. */
function replaySpec(spec: DataSpec, archive: string): DataSpec {
  if (spec.kind === "alpaca") return { kind: "archive", path: archive };
  if (spec.kind === "archive") return { kind: "archive", path: spec.path ?? archive };
  return spec;
}

interface Recorded {
  readonly decisions: readonly Decision[];
  /** the newest bar time among the active release's records (a replay's clock is its bars') */
  readonly newest: number;
}

/** The active release's signals in bar-time order, each bar's decision once (a restart replays its warm-up). */
async function recordedDecisions(
  request: ParityRequest,
  location: Parameters<typeof openSignalStoreAt>[0],
): Promise<Recorded> {
  const empty = { decisions: [], newest: Number.NaN };
  if (location.backend === "sqlite" && !existsSync(location.path)) return empty;
  const store = await openSignalStoreAt(location, { environment: request.environment, readOnly: true });
  const seen = new Set<string>();
  const decisions: Decision[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  try {
    for await (const page of store.read({ project: request.project })) {
      for (const record of page) {
        if (record.release !== request.activeRelease) continue;
        const payload = JSON.parse(record.payload) as {
          clockTime?: string;
          bar?: string;
          symbol?: string;
          side?: unknown;
        };
        const when = payload.bar ?? payload.clockTime;
        const time = when ? Date.parse(when) : Number.NaN;
        if (!Number.isFinite(time)) continue;
        newest = Math.max(newest, time);
        if (record.kind !== "signal") continue;
        const key = decisionKey(time, payload.symbol, payload.side);
        if (seen.has(key)) continue;
        seen.add(key);
        decisions.push({ time, key });
      }
    }
  } finally {
    await store.close();
  }
  decisions.sort(byTimeThenKey);
  return { decisions, newest };
}

/** The same check from a staged workspace's directory: what the deploy's gate 12 calls. */
export async function replaySignalParity(
  request: Omit<ParityRequest, "workspace"> & { readonly workspaceDir: string },
): Promise<ParityOutcome> {
  const { workspaceDir, ...rest } = request;
  return checkSignalParity({ ...rest, workspace: loadWorkspace({ workspace: workspaceDir }) });
}
