/** `tradeops stop [PROJECT|all] [--color C] [--grace SECONDS]`: SIGTERM, SIGKILL after the grace period. */

import { EXIT } from "../../errors.js";
import { hasRecordedServices } from "../../supervisor/client.js";
import { requireProject } from "../../workspace/lookup.js";
import { secondsFlag } from "../flags.js";
import type { Handler } from "../program.js";
import { colorOption } from "./start.js";
import { openSupervisor } from "./supervisor.js";

export const stopCommand: Handler = async (run) => {
  const { ctx, stateDir, client } = openSupervisor(run);
  const project = run.args[0] ?? "all";
  if (project !== "all") requireProject(ctx.workspace, project);
  const color = colorOption(run.opts.color);
  const graceMs = secondsFlag(run.opts.grace, "--grace");
  if (!(await client.running()) && !hasRecordedServices(stateDir)) {
    if (run.globals.json) run.out.json({ ok: true, stopped: [] });
    else run.out.info(`Nothing runs for ${ctx.workspace.name} (${ctx.environment}).`);
    return EXIT.ok;
  }
  const stopped = await client.stop({ project, ...(color ? { color } : {}) }, graceMs);
  if (run.globals.json) run.out.json({ ok: true, stopped });
  else if (!stopped.length) run.out.info(`Nothing runs for ${project}${color ? `@${color}` : ""}.`);
  for (const i of stopped)
    if (!run.globals.json) run.out.info(`${i.name} ${i.state}${i.lastExit ? ` (${exitText(i.lastExit)})` : ""}`);
  return EXIT.ok;
};

export function exitText(exit: { code: number | null; signal: string | null; unobserved?: boolean }): string {
  if (exit.unobserved) return "exit code unknown";
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
