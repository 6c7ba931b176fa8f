import { openWorkspace, type WorkspaceContext } from "../context.js";
import { formatProblem } from "../errors.js";
import type { CommandRun } from "./program.js";

/** Opens the workspace with the command's globals, and shows detection warnings once. */
export function openFromRun(run: CommandRun): WorkspaceContext {
  const ctx = openWorkspace({
    cwd: run.io.cwd,
    workspace: run.globals.workspace,
    envFlag: run.globals.env,
    env: run.io.env,
    hostname: run.io.hostname,
    exists: run.io.exists,
  });
  for (const warning of ctx.workspace.warnings) run.out.warn(formatProblem(warning));
  for (const warning of ctx.detection.warnings) run.out.warn(warning);
  return ctx;
}
