/** `tradeops init [--yes]`: propose a manifest for the repository here, show it, write it once confirmed. */

import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { DetectedProject } from "../../adopt/detect.js";
import { applyInit, planInit } from "../../adopt/init.js";
import { EXIT } from "../../errors.js";
import type { CliIO } from "../io.js";
import type { Handler } from "../program.js";

export const initCommand: Handler = async (run) => {
  const root = resolve(run.io.cwd, run.globals.workspace ?? ".");
  const plan = planInit({ root, name: run.opts.name as string | undefined });
  const write = Boolean(run.opts.yes) || (await confirm(run.io, "Write tradeops.yaml? [y/N] "));
  const written = write ? applyInit(plan) : undefined;
  if (run.globals.json) {
    run.out.json({
      manifest: plan.manifestPath,
      written: Boolean(written),
      projects: plan.projects.map((p) => ({ name: p.name, path: p.path, kind: p.kind, evidence: p.evidence })),
      secrets: plan.proposal.secrets,
      toFill: plan.proposal.toFill,
      text: plan.proposal.text,
    });
    return EXIT.ok;
  }
  run.out.info(plan.proposal.text.trimEnd());
  run.out.info("");
  for (const p of plan.projects)
    run.out.info(`found ${p.name} (${p.kind}) in ${p.path}: ${p.evidence.slice(0, 4).join(", ")}${howItRuns(p)}`);
  for (const s of plan.proposal.secrets) run.out.info(`secret ${s.name} of ${s.project}, seen at ${s.seen.join(", ")}`);
  if (!written) {
    run.out.info("Not written. Run `tradeops init --yes` to write it.");
    return EXIT.ok;
  }
  run.out.info(`wrote ${plan.manifestPath}`);
  if (plan.proposal.toFill.length) {
    run.out.info("To fill in before deploying:");
    for (const item of plan.proposal.toFill) run.out.info(`  - ${item}`);
  }
  run.out.info("Next: `tradeops config check --all-envs`, then `tradeops secrets check --env development`.");
  return EXIT.ok;
};

/** `; health: heartbeat data/heartbeat`, `; static files from dist/`: the choice init made for a project without a port. */
function howItRuns(p: DetectedProject): string {
  if (p.outputDir) return `; static files from ${p.outputDir}/`;
  if (p.kind !== "worker") return "";
  return p.heartbeat ? `; health: heartbeat ${p.heartbeat.file}` : "; health: liveness (no heartbeat file found)";
}

async function confirm(io: CliIO, question: string): Promise<boolean> {
  if (!io.stdin?.isTTY) return false;
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
