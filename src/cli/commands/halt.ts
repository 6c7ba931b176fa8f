import { relative } from "node:path";
import { EXIT } from "../../errors.js";
import { switchTrading } from "../../node/control-client.js";
import { resolveControlToken } from "../../runtime/control-token.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import { portFlag } from "../flags.js";
import { osUserName } from "../identity.js";
import type { CommandRun, Handler } from "../program.js";

export const haltCommand: Handler = (run) => switchCommand(run, "halted");
export const resumeCommand: Handler = (run) => switchCommand(run, "active");

/**
 * `tradeops halt|resume PROJECT`: the instance is found through the supervisor's state or the target's records
 * (`--port` overrides), its identity checked (exit 77 when another instance answers), then the kill-switch file
 * is written and the instance told.
 */
async function switchCommand(run: CommandRun, state: "halted" | "active"): Promise<number> {
  const ctx = openFromRun(run);
  const project = requireProject(ctx.workspace, run.args[0]!);
  const reason = String(run.opts.reason);
  const token = await resolveControlToken({
    workspace: ctx.workspace,
    prepared: { project, environment: ctx.environment },
    env: run.io.env,
  }).catch(() => undefined);
  if (token) run.out.scrubber.add(token.reveal(), "control token");
  const result = await switchTrading({
    workspace: ctx.workspace,
    environment: ctx.environment,
    project,
    env: run.io.env,
    state,
    reason,
    by: `cli:${osUserName(run.io.env)}`,
    port: portFlag(run.opts.port as string | undefined),
    ...(token ? { token: token.reveal() } : {}),
  });
  const { file, services } = result;
  if (run.globals.json) {
    const service = services[0];
    run.out.json({ project: project.name, state, reason, file, ...(service ? { service } : {}), services });
    return EXIT.ok;
  }
  const c = run.out.colors;
  const verb = state === "halted" ? c.red("halted") : c.green("resumed");
  run.out.line(`${c.bold(project.name)} ${verb}: kill switch written to ${relative(run.io.cwd, file) || file}`);
  for (const s of services) {
    if (s.reached) run.out.line(`  the service on port ${s.port} answered: trading ${s.state ?? state}`);
    else run.out.info(`  ${s.detail}; a strategy on this machine reads the file within a second`);
    if (s.warning) run.out.warn(s.warning);
  }
  return EXIT.ok;
}
