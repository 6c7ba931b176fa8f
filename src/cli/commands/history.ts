/** `tradeops history [PROJECT]`: deploys, rollbacks, recoveries and lock breaks, newest first, from the targets. */
import { readHistory, targetViews } from "../../deploy/listing.js";
import type { DeployRecord } from "../../deploy/types.js";
import type { EnvironmentName } from "../../environment/names.js";
import { EXIT, TroError } from "../../errors.js";
import { createExecutor } from "../../exec/create.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun, targetArguments } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

export const historyCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const target = targetArguments(run, ctx, { example: "tradeops history argo production" });
  const project = target.project;
  if (project) requireProject(ctx.workspace, project);
  const limit = Number(run.opts.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new TroError("TRO_ERR_USAGE", `--limit must be a positive whole number (got ${String(run.opts.limit)}).`, {
      hint: "e.g. --limit 50",
    });
  // --env names one environment; without it, every environment that has targets
  const named = run.args.length > (project ? 1 : 0) || run.globals.env !== undefined;
  const environments: EnvironmentName[] = named
    ? [target.environment]
    : ctx.workspace.environments.filter((e) => Object.keys(ctx.workspace.targets[e] ?? {}).length);
  const records: DeployRecord[] = [];
  const unreachable: string[] = [];
  for (const environment of environments) {
    for (const view of targetViews(ctx.workspace, environment, project)) {
      const executor = createExecutor(view.host, { env: run.io.env });
      try {
        records.push(...(await readHistory(view, executor)));
      } catch (error) {
        unreachable.push(`${view.project} on ${view.host}: ${(error as Error).message}`);
      } finally {
        await executor.close();
      }
    }
  }
  const newest = records.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)).slice(0, limit);
  for (const u of unreachable) run.out.warn(`could not read the history of ${u}`);
  if (run.globals.json) {
    run.out.json({ environments, records: newest, unreachable });
    return EXIT.ok;
  }
  if (!newest.length) run.out.line(`no deploy recorded in ${environments.join(", ")}`);
  for (const r of newest) render(run, r);
  return EXIT.ok;
};

function render(run: CommandRun, r: DeployRecord): void {
  const c = run.out.colors;
  const paint =
    r.outcome === "succeeded"
      ? c.green
      : r.outcome === "rolled-back" || r.outcome === "interrupted"
        ? c.yellow
        : r.outcome
          ? c.red
          : c.dim;
  const took = r.durationMs !== undefined ? ` in ${(r.durationMs / 1000).toFixed(1)} s` : "";
  run.out.line(
    `${r.startedAt}  ${c.bold(r.kind)} ${r.project} ${r.environment}@${r.host}  ${paint(r.outcome ?? r.kind)}${took}  by ${r.who}`,
  );
  if (r.release)
    run.out.line(
      `  release ${r.release}${r.previous ? ` (was ${r.previous})` : ""}${r.commit ? `, commit ${r.commit.slice(0, 7)}` : ""}${r.artifactHash ? `, sha256 ${r.artifactHash.slice(0, 12)}` : ""}`,
    );
  if (r.gates.length) run.out.line(`  gates ${r.gates.map((g) => `${g.gate}:${g.status}`).join(" ")}`);
  if (r.health) run.out.line(`  health level ${r.health.level}: ${r.health.verdict} (${r.health.detail})`);
  if (r.configKeysChanged?.length) run.out.line(`  config keys changed: ${r.configKeysChanged.join(", ")}`);
  if (r.orderGapMs !== undefined) run.out.line(`  order gap ${r.orderGapMs} ms`);
  if (r.emergency) run.out.line(`  emergency: ${r.emergency}`);
  for (const s of r.skipped ?? []) run.out.line(`  skipped gate ${s.gate}: ${s.reason}`);
  if (r.allowDirty?.length) run.out.line(`  uncommitted files shipped: ${r.allowDirty.join(", ")}`);
  if (r.rollbackReason) run.out.line(`  rollback reason: ${r.rollbackReason}`);
  if (r.reason) run.out.line(`  ${r.reason}`);
}
