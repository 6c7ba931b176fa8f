/** `tradeops restart [PROJECT|all] [--color C]`: stop, then start afresh (config and secrets re-resolved); clears `failed`. */

import { EXIT } from "../../errors.js";
import { requireProject } from "../../workspace/lookup.js";
import { secondsFlag } from "../flags.js";
import type { Handler } from "../program.js";
import { colorOption } from "./start.js";
import { openSupervisor } from "./supervisor.js";

export const restartCommand: Handler = async (run) => {
  const { ctx, client } = openSupervisor(run);
  const project = run.args[0] ?? "all";
  if (project !== "all") requireProject(ctx.workspace, project);
  const color = colorOption(run.opts.color);
  const graceMs = secondsFlag(run.opts.grace, "--grace");
  const waitMs = secondsFlag(run.opts.waitHealthy, "--wait-healthy");
  let restarted = await client.restart({ project, ...(color ? { color } : {}) }, run.io.env, graceMs);
  if (waitMs !== undefined) restarted = await Promise.all(restarted.map((i) => client.waitRunning(i.name, waitMs)));
  if (run.globals.json) run.out.json({ ok: true, restarted });
  else if (!restarted.length) run.out.info("Nothing to restart.");
  else
    for (const i of restarted)
      run.out.info(`${i.name} ${i.state} (pid ${i.pid ?? "-"}${i.port ? `, port ${i.port}` : ""})`);
  return EXIT.ok;
};
