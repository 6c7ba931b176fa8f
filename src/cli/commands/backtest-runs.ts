/** `tradeops backtest list | show | compare`: the kept backtest runs, read back. */
import { relative } from "node:path";
import { EXIT } from "../../errors.js";
import { type CompareRow, compareRuns } from "../../runtime/report/compare.js";
import { money, pct } from "../../runtime/report/html.js";
import { listRuns, loadRun } from "../../runtime/report/runs.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

export const backtestListCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const runs = listRuns(ctx.workspace.root, run.args[0]);
  if (run.globals.json) {
    run.out.json({ runs });
    return EXIT.ok;
  }
  if (!runs.length) {
    run.out.line("no backtest runs kept yet: `tradeops backtest PROJECT` keeps one per run");
    return EXIT.ok;
  }
  for (const r of runs) {
    run.out.line(
      `${r.id.padEnd(34)} ${r.environment.padEnd(12)} ${pct(r.totalReturn).padStart(9)} ${money(r.finalEquity).padStart(14)} ${String(r.trades).padStart(4)} trades  ${r.from.slice(0, 10)} → ${r.to.slice(0, 10)}  config ${r.configHash.slice(0, 12)}`,
    );
  }
  return EXIT.ok;
};

export const backtestShowCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const { entry, report } = loadRun(ctx.workspace.root, run.args[0]!);
  if (run.globals.json) {
    run.out.json({ run: entry, report });
    return EXIT.ok;
  }
  const s = report.summary;
  run.out.line(
    `${entry.id}  ${run.out.colors.dim(`${entry.environment} · ${entry.data} · ${entry.from.slice(0, 10)} → ${entry.to.slice(0, 10)}`)}`,
  );
  const rows: [string, string][] = [
    ["return", `${pct(s.totalReturn)}  (buy and hold ${pct(report.benchmark.totalReturn)})`],
    ["max drawdown", pct(-s.maxDrawdown)],
    ["Sharpe", s.sharpe.toFixed(2)],
    ["trades", `${s.trades} closed, ${report.openTrades?.length ?? 0} open`],
    ["final equity", money(s.finalEquity)],
    ["config", entry.configHash],
    ["report", shown(run, `${entry.dir}/report.html`)],
  ];
  for (const [label, value] of rows) run.out.line(`  ${label.padEnd(13)}${value}`);
  return EXIT.ok;
};

export const backtestCompareCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const root = ctx.workspace.root;
  const comparison = compareRuns(loadRun(root, run.args[0]!), loadRun(root, run.args[1]!));
  if (run.globals.json) {
    run.out.json(comparison);
    return EXIT.ok;
  }
  const c = run.out.colors;
  run.out.line(`${"".padEnd(17)}${c.bold(comparison.a.id.padEnd(34))}${c.bold(comparison.b.id)}`);
  for (const row of comparison.rows) {
    const change =
      row.change === null || row.change === 0 ? "" : c.dim(`  ${row.change > 0 ? "+" : ""}${format(row, row.change)}`);
    run.out.line(`  ${row.metric.padEnd(13)}${format(row, row.a).padEnd(34)}${format(row, row.b)}${change}`);
  }
  for (const d of comparison.decisions) {
    const head = `  ${d.what.padEnd(15)}${d.a} vs ${d.b}, the first ${d.same} the same`;
    if (!d.firstDivergence) run.out.line(`${head}: ${c.green("identical")}`);
    else {
      run.out.line(`${head}; first difference at #${d.firstDivergence.index + 1}:`);
      run.out.line(`    ${comparison.a.id}: ${d.firstDivergence.a ?? "(none)"}`);
      run.out.line(`    ${comparison.b.id}: ${d.firstDivergence.b ?? "(none)"}`);
    }
  }
  return EXIT.ok;
};

function format(row: CompareRow, v: number | string | null): string {
  if (v === null) return "–";
  if (typeof v === "string") return v;
  if (row.unit === "pct") return `${v < 0 ? "−" : ""}${pct(Math.abs(v), false)}`;
  if (row.unit === "usd") return money(v);
  return `${v < 0 ? "−" : ""}${Number.isInteger(v) ? String(Math.abs(v)) : Math.abs(v).toFixed(2)}`;
}

function shown(run: CommandRun, path: string): string {
  const rel = relative(run.io.cwd, path);
  return rel.startsWith("..") ? path : rel;
}
