/** `tradeops releases PROJECT [to] ENV`: the releases kept on the target, newest first. */
import { describeTargetPorts } from "../../deploy/deploy-style.js";
import { readReleases, targetViews } from "../../deploy/listing.js";
import { requireTarget } from "../../deploy/targets.js";
import { EXIT } from "../../errors.js";
import { createExecutor } from "../../exec/create.js";
import { openFromRun, targetArguments } from "../context.js";
import type { Handler } from "../program.js";
import { instanceLine } from "../render/target.js";
import { deployedIn } from "./target.js";

export const releasesCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0]!;
  const { environment } = targetArguments(run, ctx, { example: `tradeops releases ${project} staging` });
  requireTarget(ctx.workspace, environment, project);
  const views = [];
  for (const view of targetViews(ctx.workspace, environment, project)) {
    const executor = createExecutor(view.host, { env: run.io.env });
    try {
      views.push(await readReleases(view, executor));
    } finally {
      await executor.close();
    }
  }
  const [live] = await deployedIn(run, ctx.workspace, environment, project);
  const instancesOn = (host: string) =>
    (live && "views" in live ? live.views.find((v) => v.host === host)?.instances : undefined) ?? [];
  if (run.globals.json) {
    run.out.json({
      project,
      environment,
      hosts: views.map((v) => ({
        host: v.host,
        instances: instancesOn(v.host),
        active: v.state.active ?? null,
        colors: v.state.colors,
        persist: v.persist,
        releases: v.releases,
      })),
    });
    return EXIT.ok;
  }
  const c = run.out.colors;
  for (const v of views) {
    run.out.line(`${c.bold(project)} in ${environment} on ${v.host}  ${c.dim(describeTargetPorts(v.target))}`);
    for (const i of instancesOn(v.host)) run.out.line(`  ${instanceLine(i)}`);
    for (const p of v.persist)
      run.out.line(c.dim(`  persistent ${p.path} → ${p.location} (linked into every release)`));
    if (!v.releases.length) run.out.line("  no release yet");
    for (const r of v.releases) {
      const serving = v.state.active && v.state.colors[v.state.active]?.release === r.id ? c.green(" ← serving") : "";
      const good = r.goodAt ? c.green(" known-good") : "";
      run.out.line(
        `  ${r.id}  ${r.status.padEnd(8)} ${(r.color ?? "").padEnd(5)} ${r.commit.slice(0, 7)}  sha256 ${r.artifactHash.slice(0, 12)}  ${r.files} files${good}${serving}${r.reason ? c.dim(`  (${r.reason})`) : ""}`,
      );
    }
  }
  return EXIT.ok;
};
