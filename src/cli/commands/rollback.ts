/** `tradeops rollback PROJECT [ENV]`: back to the last known-good release, or `--to RELEASE`. */
import { rollbackProject } from "../../deploy/rollback.js";
import { EXIT } from "../../errors.js";
import type { Executor } from "../../exec/command.js";
import { createExecutor } from "../../exec/create.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";
import { hostnameOf, resolveEnvironment, seconds, selfCommand, whoAmI } from "./deploy.js";
import { createProgress } from "./gates.js";

export const rollbackCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0]!;
  const environment = run.args[1] ? resolveEnvironment(run.args[1], ctx.workspace) : ctx.environment;
  const executors = new Map<string, Executor>();
  const progress = createProgress(run);
  try {
    const records = await rollbackProject({
      workspace: ctx.workspace,
      environment,
      project,
      to: run.opts.to as string | undefined,
      reason: run.opts.reason as string | undefined,
      who: whoAmI(run),
      hostname: hostnameOf(run),
      command: `rollback ${project} ${environment}`,
      startTimeoutMs: seconds(run.opts.startTimeout, "--start-timeout") * 1000,
      runner: run.opts.runner as "direct" | "supervisor",
      tradeops: selfCommand(run),
      onEvent: progress.event,
      executorFor: (host) => {
        if (!executors.has(host)) executors.set(host, createExecutor(host, { env: run.io.env }));
        return executors.get(host)!;
      },
    });
    await progress.done();
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
    for (const e of executors.values()) await e.close().catch(() => undefined);
  }
};
