/** `tradeops new strategy|service NAME`: a new project in the workspace, with config, tests and a staging target. */
import { applyNewProject, type NewKind, planNewProject } from "../../adopt/new.js";
import { EXIT, TroError } from "../../errors.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

function portOption(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new TroError("TRO_ERR_USAGE", `${flag} ${String(raw)} is not a port from 1 to 65535.`);
  return n;
}

const newCommand =
  (kind: NewKind): Handler =>
  async (run) => {
    const port = portOption(run.opts.port, "--port");
    const stagingPort = portOption(run.opts.stagingPort, "--staging-port");
    const ctx = openFromRun(run);
    const plan = planNewProject({
      workspace: ctx.workspace,
      kind,
      name: run.args[0]!,
      lang: run.opts.lang as string | undefined,
      dir: run.opts.dir as string | undefined,
      port,
      stagingPort,
    });
    applyNewProject(ctx.workspace, plan);
    if (run.globals.json) {
      run.out.json({ project: plan.name, path: plan.path, files: Object.keys(plan.files), entry: plan.entry });
      return EXIT.ok;
    }
    run.out.info(`created ${kind} ${plan.name} in ${plan.path}, added to tradeops.yaml:`);
    for (const file of Object.keys(plan.files)) run.out.info(`  ${file}`);
    if (plan.stagingTarget) run.out.info(`  targets.staging.${plan.name}: local, port ${plan.stagingTarget.port}`);
    const next =
      kind === "service"
        ? [`tradeops up ${plan.name}`, `tradeops health ${plan.name} --level 3`]
        : [`tradeops backtest ${plan.name}`, `tradeops serve ${plan.name}`];
    run.out.info(`Next: ${[...next, `tradeops deploy ${plan.name} to staging`].map((c) => `\`${c}\``).join(", ")}.`);
    return EXIT.ok;
  };

export const newStrategyCommand = newCommand("strategy");
export const newServiceCommand = newCommand("service");
