import { EXIT } from "../../errors.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

export const envCommand: Handler = async (run) => {
  const { workspace, detection } = openFromRun(run);
  if (run.globals.json) {
    run.out.json({
      environment: detection.environment,
      source: detection.source,
      detail: detection.detail,
      evaluated: detection.evaluated,
      warnings: detection.warnings,
      workspace: workspace.root,
      variable: workspace.detect.variable,
    });
    return EXIT.ok;
  }
  const c = run.out.colors;
  run.out.line(`${c.bold(detection.environment)}  ${c.dim(`decided by ${detection.source}: ${detection.detail}`)}`);
  if (run.globals.quiet) return EXIT.ok;
  run.out.line();
  run.out.line(c.dim("rules, highest priority first:"));
  for (const rule of detection.evaluated) {
    const decided = rule.rule === detection.source;
    const mark = decided ? c.green("✔") : rule.matched ? c.yellow("↳") : c.dim("·");
    const env = rule.environment ? ` → ${rule.environment}` : "";
    run.out.line(`  ${mark} ${rule.rule.padEnd(9)} ${rule.detail}${env}${decided ? c.green("  (decides)") : ""}`);
  }
  return EXIT.ok;
};
