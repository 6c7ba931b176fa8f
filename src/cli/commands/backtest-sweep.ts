/** `tradeops backtest PROJECT --sweep …`: a parameter grid on worker threads, ranked; progress on stderr. */
import { EXIT } from "../../errors.js";
import { pct } from "../../runtime/report/html.js";
import type { SetMetrics } from "../../runtime/sweep/evaluate.js";
import { sweepProject } from "../../runtime/sweep/project.js";
import { openFromRun } from "../context.js";
import type { CommandRun } from "../program.js";

export async function sweepCommand(run: CommandRun): Promise<number> {
  const ctx = openFromRun(run);
  const outcome = await sweepProject({
    workspace: ctx.workspace,
    project: run.args[0]!,
    environment: ctx.environment,
    env: run.io.env,
    sweeps: run.opts.sweep as string[],
    rankBy: run.opts.rankBy as string | undefined,
    walkForward: run.opts.walkForward as string | undefined,
    workers: run.opts.workers as string | undefined,
    data: run.opts.data as string | undefined,
    from: run.opts.from as string | undefined,
    to: run.opts.to as string | undefined,
    onProgress: progress(run),
  });
  if (run.globals.json) {
    run.out.json(outcome);
    return EXIT.ok;
  }
  const c = run.out.colors;
  const wf = outcome.outOfSample
    ? `; ranked in-sample ${outcome.inSample.from.slice(0, 10)} → ${outcome.inSample.to.slice(0, 10)}, out-of-sample ${outcome.outOfSample.from.slice(0, 10)} → ${outcome.outOfSample.to.slice(0, 10)}`
    : "";
  run.out.line(
    `${c.bold(`${run.args[0]} sweep`)}  ${c.dim(`${outcome.sets} parameter sets on ${outcome.workers || "no"} worker thread${outcome.workers === 1 ? "" : "s"} in ${(outcome.ms / 1000).toFixed(1)} s, ranked by ${outcome.rankBy}${wf}`)}`,
  );
  if (outcome.skipped) run.out.line(c.dim(`  ${outcome.skipped} set(s) skipped: their parameters do not validate`));
  const top = Math.max(1, Number(run.opts.top) || 10);
  const head = [...outcome.axes.map(short), "return", "Sharpe", "Sortino", "Calmar", "max DD", "trades"];
  if (outcome.outOfSample) head.push("OOS return", "OOS Sharpe");
  const rows = outcome.results
    .filter((r) => r.metrics)
    .slice(0, top)
    .map((r) => {
      const m = r.metrics as SetMetrics;
      const cells = [
        ...outcome.axes.map((k) => String(r.params[k])),
        pct(m.totalReturn),
        m.sharpe.toFixed(2),
        m.sortino.toFixed(2),
        m.calmar.toFixed(2),
        pct(-m.maxDrawdown),
        String(m.trades),
      ];
      if (r.outOfSample) cells.push(pct(r.outOfSample.totalReturn), r.outOfSample.sharpe.toFixed(2));
      return cells;
    });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  run.out.line(`  ${head.map((h, i) => h.padStart(widths[i]!)).join("  ")}`);
  for (const r of rows) run.out.line(`  ${r.map((v, i) => v.padStart(widths[i]!)).join("  ")}`);
  return EXIT.ok;
}

function short(key: string): string {
  return key.split(".").pop()!;
}

/** A bar on a terminal (stderr), a line per quarter otherwise; nothing with --json or --quiet. */
function progress(run: CommandRun): ((done: number, total: number) => void) | undefined {
  if (run.globals.json || run.globals.quiet) return undefined;
  const tty = Boolean(run.io.stderr.isTTY);
  let lastQuarter = -1;
  return (done, total) => {
    const share = total ? done / total : 1;
    if (tty) {
      const full = Math.round(share * 30);
      run.io.stderr.write(
        `\r[${"#".repeat(full)}${".".repeat(30 - full)}] ${Math.round(share * 100)}% ${done}/${total} parameter sets${done === total ? "\n" : ""}`,
      );
      return;
    }
    const quarter = Math.floor(share * 4);
    if (quarter === lastQuarter) return;
    lastQuarter = quarter;
    run.io.stderr.write(`sweep: ${done}/${total} parameter sets (${Math.round(share * 100)}%)\n`);
  };
}
