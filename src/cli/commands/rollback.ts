/**
 * `tradeops rollback PROJECT [to] ENV`: back to the last known-good release, or `--release ID`; coupled members
 * with a target come back with it, to their release from the same deploy.
 */
import { announceDeploy } from "../../deploy/announce.js";
import { rollback } from "../../deploy/rollback.js";
import { EXIT, TroError } from "../../errors.js";
import { executorPool } from "../../exec/create.js";
import { openFromRun, targetArguments } from "../context.js";
import { positiveSecondsFlag } from "../flags.js";
import { hostnameOf, selfCommand, whoAmI } from "../identity.js";
import type { Handler } from "../program.js";
import { createProgress, describeRollbackPlan } from "../render/deploy.js";

export const rollbackCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0]!;
  const { environment } = targetArguments(run, ctx, { example: `tradeops rollback ${project} to production` });
  const release = (run.opts.release ?? run.opts.to) as string | undefined;
  if (run.opts.release !== undefined && run.opts.to !== undefined && run.opts.release !== run.opts.to)
    throw new TroError("TRO_ERR_USAGE", "Name the release once: --release (or its older spelling --to).", {
      hint: `e.g. tradeops rollback ${project} to production --release 20261120T101500Z-1a2b3c4`,
    });
  const executors = executorPool({ env: run.io.env });
  const progress = createProgress(run);
  try {
    const { plan, records } = await rollback({
      workspace: ctx.workspace,
      environment,
      project,
      to: release,
      reason: run.opts.reason as string | undefined,
      who: whoAmI(run),
      hostname: hostnameOf(run),
      command: `rollback ${project} to ${environment}`,
      startTimeoutMs: positiveSecondsFlag(run.opts.startTimeout, "--start-timeout") * 1000,
      runner: run.opts.runner as "direct" | "supervisor",
      tradeops: selfCommand(run),
      onEvent: progress.event,
      dryRun: Boolean(run.opts.dryRun),
      executorFor: executors.executorFor,
    });
    await progress.done();
    if (run.opts.dryRun) {
      if (run.globals.json) run.out.json({ ok: true, plan });
      else for (const line of describeRollbackPlan(plan)) run.out.line(line);
      return EXIT.ok;
    }
    await announceDeploy(
      {
        workspace: ctx.workspace,
        environment,
        env: run.io.env,
        which: project,
        scrub: (t) => run.out.scrubber.scrub(t),
      },
      { rollback: records },
    );
    if (run.globals.json) run.out.json({ ok: true, records });
    else {
      for (const r of records) {
        run.out.line(
          `${run.out.colors.green("rolled back")} ${r.project} in ${r.environment} on ${r.host}: ${r.previous} → ${r.release} (${r.health?.detail ?? ""})`,
        );
      }
    }
    return EXIT.ok;
  } finally {
    await progress.done();
    await executors.close();
  }
};
