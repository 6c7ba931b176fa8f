/**
 * Backtest runs kept one directory per run — `.tradeops/backtests/<project>/<timestamp>/` with the report as
 * JSON and HTML and `run.json` (the exact config hash, the data and its range) — so that a run never
 * overwrites another and two runs can be listed, shown and compared later.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TroError } from "../../errors.js";
import type { BacktestReport } from "./build.js";
import { renderHtml } from "./html.js";

export interface RunEntry {
  /** `<project>/<timestamp>`: what show and compare take */
  readonly id: string;
  readonly project: string;
  readonly environment: string;
  readonly strategy: string;
  readonly createdAt: string;
  /** sha256 of the resolved config the run used (keys sorted) */
  readonly configHash: string;
  readonly data: string;
  readonly from: string;
  readonly to: string;
  readonly totalReturn: number;
  readonly finalEquity: number;
  readonly trades: number;
  readonly dir: string;
}

export function runsRoot(root: string): string {
  return join(root, ".tradeops", "backtests");
}

/** sha256 of a JSON value with object keys sorted: the same config gives the same hash on every machine. */
export function configHash(values: unknown): string {
  return createHash("sha256").update(stableJson(values)).digest("hex");
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Writes a run's directory; returns its entry. `now` names it (UTC, to the second; `-2`… on a clash). */
export function saveRun(
  root: string,
  project: string,
  report: BacktestReport,
  hash: string,
  now: Date = new Date(),
): RunEntry & { readonly html: string; readonly json: string } {
  const base = now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
  const parent = join(runsRoot(root), project);
  let stamp = base;
  for (let n = 2; existsSync(join(parent, stamp)); n++) stamp = `${base}-${n}`;
  const dir = join(parent, stamp);
  mkdirSync(dir, { recursive: true });
  const entry: RunEntry = {
    id: `${project}/${stamp}`,
    project,
    environment: report.environment,
    strategy: report.strategy,
    createdAt: now.toISOString(),
    configHash: hash,
    data: report.data,
    from: report.from,
    to: report.to,
    totalReturn: report.summary.totalReturn,
    finalEquity: report.summary.finalEquity,
    trades: report.summary.trades,
    dir,
  };
  const html = join(dir, "report.html");
  const json = join(dir, "report.json");
  writeFileSync(html, renderHtml(report));
  writeFileSync(json, `${JSON.stringify(report)}\n`);
  const { dir: _dir, ...stored } = entry;
  writeFileSync(join(dir, "run.json"), `${JSON.stringify(stored, null, 2)}\n`);
  return { ...entry, html, json };
}

/** Every kept run, oldest first (of one project, or all). */
export function listRuns(root: string, project?: string): RunEntry[] {
  const top = runsRoot(root);
  if (!existsSync(top)) return [];
  const projects = project ? [project] : readdirSync(top).sort();
  const out: RunEntry[] = [];
  for (const p of projects) {
    const parent = join(top, p);
    if (!existsSync(parent)) continue;
    for (const stamp of readdirSync(parent).sort()) {
      const file = join(parent, stamp, "run.json");
      if (!existsSync(file)) continue;
      try {
        out.push({ ...(JSON.parse(readFileSync(file, "utf8")) as RunEntry), dir: join(parent, stamp) });
      } catch {
        // a run being written or damaged by hand: not listed
      }
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * A run by id (`argo/2026-01-02T10-00-00Z`), by a unique prefix of it, or `PROJECT@latest` / `latest`, with
 * `~N` for the Nth run before it (`argo@latest~1` is the one before the latest).
 * @throws TroError TRO_ERR_USAGE naming the runs there are
 */
export function findRun(root: string, ref: string): RunEntry {
  const runs = listRuns(root);
  const latest = /^(?:(.+)@)?latest(?:~(\d+))?$/.exec(ref);
  const ofProject = latest ? runs.filter((r) => !latest[1] || r.project === latest[1]) : [];
  const back = ofProject[ofProject.length - 1 - Number(latest?.[2] ?? 0)];
  const matches = latest ? (back ? [back] : []) : runs.filter((r) => r.id === ref || r.id.startsWith(ref));
  const exact = matches.find((r) => r.id === ref);
  if (exact) return exact;
  if (matches.length === 1) return matches[0]!;
  const known = runs
    .slice(-5)
    .map((r) => r.id)
    .join(", ");
  throw new TroError(
    "TRO_ERR_USAGE",
    matches.length
      ? `Backtest run "${ref}" is ambiguous: ${matches.map((r) => r.id).join(", ")}.`
      : `There is no backtest run "${ref}" under .tradeops/backtests.`,
    {
      hint: known
        ? `Recent runs: ${known} (\`tradeops backtest list\` shows all).`
        : "Run `tradeops backtest PROJECT` first.",
    },
  );
}

/** The report a run kept. @throws TroError TRO_ERR_USAGE as findRun */
export function loadRun(root: string, ref: string): { entry: RunEntry; report: BacktestReport } {
  const entry = findRun(root, ref);
  const report = JSON.parse(readFileSync(join(entry.dir, "report.json"), "utf8")) as BacktestReport;
  return { entry, report };
}
