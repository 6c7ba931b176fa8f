/** `tradeops new strategy|service NAME`: a new project in the workspace, with config, tests and a staging target. */
import { applyNewProject, type NewKind, planNewProject } from "../../adopt/new.js";
import { EXIT } from "../../errors.js";
import { openFromRun } from "../context.js";
import { portFlag } from "../flags.js";
import type { Handler } from "../program.js";

const newCommand =
  (kind: NewKind): Handler =>
  async (run) => {
    const port = portFlag(run.opts.port);
    const stagingPort = portFlag(run.opts.stagingPort);
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
    run.out.info(`Next: ${plan.next.map((c) => `\`${c}\``).join(", ")}.`);
    return EXIT.ok;
  };

export const newStrategyCommand = newCommand("strategy");
export const newServiceCommand = newCommand("service");
