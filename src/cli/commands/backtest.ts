import { relative } from "node:path";
import { EXIT, TroError } from "../../errors.js";
import type { BacktestReport } from "../../runtime/report/build.js";
import { money, pct } from "../../runtime/report/html.js";
import { writeReport } from "../../runtime/report/write.js";
import { backtestProject } from "../../runtime/runner.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

export const backtestCommand: Handler = async (run) => {
  if ((run.opts.sweep as string[] | undefined)?.length) return (await import("./backtest-sweep.js")).sweepCommand(run);
  const ctx = openFromRun(run);
  const project = run.args[0]!;
  const progress = progressReporter(run);
  const {
    report,
    plan,
    run: kept,
  } = await backtestProject({
    workspace: ctx.workspace,
    project,
    environment: ctx.environment,
    env: run.io.env,
    data: run.opts.data as string | undefined,
    from: run.opts.from as string | undefined,
    to: run.opts.to as string | undefined,
    ...(run.opts.closeAtEnd ? { closeAtEnd: true } : {}),
    onProgress: progress,
    keep: true,
    initialCash: cashOption(run.opts.initialCash),
  });
  const copy = run.opts.report as string | undefined;
  const written = copy ? writeReport(report, relativeTo(run.io.cwd, copy)) : { html: kept!.html, json: kept!.json };
  if (run.globals.json) {
    const files = { ...written, run: kept!.dir };
    run.out.json({
      ...report,
      run: kept!.id,
      configHash: kept!.configHash,
      files,
      plan: { mode: plan.mode, data: plan.data, venue: plan.venue },
    });
    return EXIT.ok;
  }
  printSummary(run, report, plan.notes);
  run.out.line(
    `run: ${kept!.id}  (config ${kept!.configHash.slice(0, 12)}; \`tradeops backtest list\` lists every run)`,
  );
  run.out.line(`report: ${shown(run, written.html)}  (JSON: ${shown(run, written.json)})`);
  return EXIT.ok;
};

function printSummary(run: CommandRun, report: BacktestReport, notes: readonly string[]): void {
  const c = run.out.colors;
  const s = report.summary;
  const tone = (n: number, text: string) => (n > 0 ? c.green(text) : n < 0 ? c.red(text) : text);
  run.out.line(
    `${c.bold(`${report.project ?? report.strategy} backtest`)}  ${c.dim(
      `${report.environment} · ${report.instruments.map((i) => i.label).join(", ")} · ${report.from.slice(0, 10)} → ${report.to.slice(0, 10)} · ${s.bars.toLocaleString("en-US")} bars · ${report.data}`,
    )}`,
  );
  if (!run.globals.quiet) for (const note of notes) run.out.line(c.dim(`  ${note}`));
  const rows: [string, string][] = [
    [
      "return",
      `${tone(s.totalReturn, pct(s.totalReturn))}  ${c.dim(`buy and hold ${report.benchmark.label}: ${pct(report.benchmark.totalReturn)}`)}`,
    ],
    ["CAGR", tone(s.cagr, pct(s.cagr))],
    ["max drawdown", s.maxDrawdown > 0 ? c.red(pct(-s.maxDrawdown)) : pct(0)],
    ["Sharpe", s.sharpe.toFixed(2)],
    ["trades", `${s.trades} closed  ${c.dim(`win rate ${s.trades ? pct(s.winRate, false) : "–"}`)}`],
    ["", c.dim(report.fillsExplained)],
    ...report.openTrades.map((t): [string, string] => [
      "open",
      `${t.symbol} ${t.direction} ${t.qty.toLocaleString("en-US", { maximumFractionDigits: 3 })} since ${t.entry.slice(0, 10)}, marked at ${money(t.lastPrice)}  ${c.dim(`realised ${money(t.realized)} on the way + open ${money(t.unrealized)} − fees ${money(t.fees)} =`)} ${tone(t.pnl, money(t.pnl))}`,
    ]),
    ["fees", money(s.fees)],
    ["final equity", `${money(s.finalEquity)}  ${c.dim(`from ${money(s.initialCash)}`)}`],
    ["reconciled", c.dim(reconciled(report))],
    [
      "decisions",
      Object.entries(report.decisions)
        .map(([k, v]) => `${k} ${v}`)
        .join(" · ") || "none",
    ],
  ];
  for (const [label, value] of rows) run.out.line(`  ${label.padEnd(13)}${value}`);
}

function reconciled(report: BacktestReport): string {
  const r = report.reconciliation;
  return `realised ${money(r.realized)} + open ${money(r.open)} − fees ${money(r.fees)} = ${money(r.equityChange)}`;
}

/** A bar on a terminal (stderr), a plain line per quarter otherwise; nothing with --json or --quiet. */
function progressReporter(run: CommandRun): ((done: number, total: number) => void) | undefined {
  if (run.globals.json || run.globals.quiet) return undefined;
  const tty = Boolean(run.io.stderr.isTTY);
  let lastQuarter = -1;
  return (done, total) => {
    const share = total ? done / total : 1;
    if (tty) {
      const width = 30;
      const full = Math.round(share * width);
      run.io.stderr.write(
        `\r[${"#".repeat(full)}${".".repeat(width - full)}] ${Math.round(share * 100)}% ${done}/${total} bars${done === total ? "\n" : ""}`,
      );
      return;
    }
    const quarter = Math.floor(share * 4);
    if (quarter === lastQuarter) return;
    lastQuarter = quarter;
    run.io.stderr.write(`backtest: ${done}/${total} bars (${Math.round(share * 100)}%)\n`);
  };
}

/** `--initial-cash`: a positive amount. @throws TroError TRO_ERR_USAGE */
function cashOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(String(value).trim() !== "" && Number.isFinite(n) && n > 0))
    throw new TroError("TRO_ERR_USAGE", `--initial-cash ${String(value)} is not a positive amount.`, {
      hint: "For example --initial-cash 100000.",
    });
  return n;
}

function relativeTo(cwd: string, path: string): string {
  return path.startsWith("/") ? path : `${cwd}/${path}`;
}

function shown(run: CommandRun, path: string): string {
  const rel = relative(run.io.cwd, path);
  return rel.startsWith("..") ? path : rel;
}
