/** `tradeops hooks install` and `tradeops hooks run pre-commit`: project isolation and literal secrets, per commit. */
import { checkStaged, ensureCommitAllowed, installHook, readStaged } from "../../adopt/hooks.js";
import { EXIT, TroError } from "../../errors.js";
import { tradeopsEntry } from "../../supervisor/launch.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

export const hooksInstallCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const path = installHook({
    root: ctx.workspace.root,
    tradeops: [process.execPath, tradeopsEntry(run.io.env)],
    force: Boolean(run.opts.force),
  });
  if (run.globals.json) run.out.json({ hook: path });
  else run.out.info(`installed ${path}: commits now refuse mixed projects, literal secrets and refused patterns`);
  return EXIT.ok;
};

export const hooksRunCommand: Handler = async (run) => {
  if (run.args[0] !== "pre-commit")
    throw new TroError("TRO_ERR_USAGE", `There is no "${run.args[0]}" hook: the one hook is pre-commit.`);
  const ctx = openFromRun(run);
  const report = checkStaged(ctx.workspace, readStaged(ctx.workspace.root));
  if (run.globals.json) run.out.json(report);
  ensureCommitAllowed(report);
  if (!run.globals.json) run.out.info(`tradeops pre-commit: ${report.files} staged file(s) checked`);
  return EXIT.ok;
};
