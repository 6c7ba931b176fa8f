/** `tradeops migrate [--apply]`: a seed-style strategies tree to the dev/test/prod layout, history kept. */
import { resolve } from "node:path";
import { applyMigration, planMigration } from "../../adopt/migrate.js";
import { EXIT } from "../../errors.js";
import type { Handler } from "../program.js";

export const migrateCommand: Handler = async (run) => {
  const root = resolve(run.io.cwd, run.globals.workspace ?? ".");
  const plan = planMigration({
    root,
    from: run.opts.from as string | undefined,
    to: run.opts.to as string | undefined,
  });
  if (run.opts.apply) applyMigration(plan);
  if (run.globals.json) {
    run.out.json({ applied: Boolean(run.opts.apply), ...plan });
    return EXIT.ok;
  }
  run.out.info(`${plan.strategies.length} strategies in ${plan.from}/ → ${plan.to}/: ${plan.strategies.join(", ")}`);
  for (const m of plan.moves) run.out.line(`  ${m.tracked ? "git mv" : "mv    "} ${m.from} → ${m.to}`);
  for (const e of plan.edits) run.out.line(`  edit   ${e.file}: ${e.replacements} path(s) rewritten`);
  run.out.info(`${plan.manifestExists ? "update" : "write"} ${plan.manifestPath}:`);
  run.out.info(plan.manifestText.trimEnd());
  if (!run.opts.apply) {
    run.out.info("Dry run: nothing changed. Run `tradeops migrate --apply` to do it.");
    return EXIT.ok;
  }
  run.out.info(`Done and staged. Review with \`git status\`, then \`git commit -m "Move strategies to ${plan.to}/"\`;`);
  run.out.info("`git log --follow` shows each file's history across the move.");
  return EXIT.ok;
};
