import { openWorkspace, type WorkspaceContext } from "../context.js";
import { canonicalEnvironment, type EnvironmentName } from "../environment/names.js";
import { formatProblem } from "../errors.js";
import { targetEnvironment } from "./flags.js";
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

export interface TargetArguments {
  /** the project named, if any */
  readonly project?: string;
  readonly environment: EnvironmentName;
}

/**
 * `PROJECT [to] ENV` / `--env ENV` (and `--to ENV` where `takesTo`), one grammar for every command that acts on
 * a target. Where the project is optional, a first word that names an environment and no project is the
 * environment. Without an environment named, `required` commands refuse; the others act on the detected one.
 * @throws TroError TRO_ERR_USAGE, TRO_ERR_ENV_UNKNOWN, TRO_ERR_ENV_UNDECLARED
 */
export function targetArguments(
  run: CommandRun,
  ctx: WorkspaceContext,
  o: { readonly takesTo?: boolean; readonly required?: boolean; readonly example: string },
): TargetArguments {
  const words = [...(run.args as string[])];
  const first = words[0];
  const firstIsEnvironment =
    first !== undefined &&
    !Object.hasOwn(ctx.workspace.projects, first) &&
    (first === "to" || canonicalEnvironment(first, ctx.workspace.detect.aliases) !== undefined);
  const project = first === undefined || firstIsEnvironment ? undefined : words.shift();
  const environment = targetEnvironment(ctx.workspace, {
    words,
    toFlag: o.takesTo ? (run.opts.to as string | undefined) : undefined,
    envFlag: run.globals.env,
    detected: o.required ? undefined : ctx.environment,
    example: o.example,
  });
  return { ...(project !== undefined ? { project } : {}), environment };
}
