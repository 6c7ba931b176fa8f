/** `tradeops completion SHELL` prints the script; `tradeops __complete WORDS… -- CURRENT` answers each TAB. */
import { canonicalEnvironment, knownEnvironmentNames } from "../../environment/names.js";
import { EXIT } from "../../errors.js";
import type { Workspace } from "../../workspace/types.js";
import { complete, completionScript } from "../completion.js";
import type { CliIO } from "../io.js";
import { buildProgram, type Handler } from "../program.js";

export const completionCommand: Handler = async (run) => {
  const shell = run.args[0] as "bash" | "zsh" | "fish";
  const script = completionScript(shell);
  if (run.globals.json) run.out.json({ ok: true, shell, script });
  else run.io.stdout.write(script);
  return EXIT.ok;
};

/**
 * The candidates for a TAB, one per line. Values come from the workspace found from the current directory (or
 * `--workspace` on the line); with none, or a broken manifest, only the grammar's own values are offered. It
 * never fails and never prints an error: a TAB must not disturb the terminal.
 */
export async function answerCompletion(args: readonly string[], io: CliIO): Promise<number> {
  const separated = args.length >= 2 && args[args.length - 2] === "--";
  const current = separated ? args[args.length - 1]! : "";
  const words = separated ? args.slice(0, -2) : args;
  const flag = words.findIndex((w) => w === "--workspace" || w === "-w");
  const workspace = await loadQuietly(io.cwd, flag >= 0 ? words[flag + 1] : undefined);
  const candidates = await complete(
    buildProgram("", async () => undefined),
    words,
    current,
    {
      environments: () => knownEnvironmentNames(workspace?.detect.aliases ?? {}, workspace?.environments),
      projects: () => Object.keys(workspace?.projects ?? {}),
      releases: (project, environment) => localReleaseIds(workspace, project, environment),
    },
  );
  io.stdout.write(candidates.map((c) => `${c}\n`).join(""));
  return EXIT.ok;
}

async function loadQuietly(cwd: string, dir: string | undefined): Promise<Workspace | undefined> {
  try {
    return (await import("../../workspace/load.js")).loadWorkspace({ cwd, workspace: dir });
  } catch {
    return undefined;
  }
}

/** Release ids kept on a local target, newest first; remote targets are not asked on a TAB. */
async function localReleaseIds(
  workspace: Workspace | undefined,
  project: string | undefined,
  environment: string | undefined,
): Promise<string[]> {
  const env = environment ? canonicalEnvironment(environment, workspace?.detect.aliases) : undefined;
  if (!workspace || !project || !env) return [];
  try {
    const { targetViews, readReleases } = await import("../../deploy/listing.js");
    const { createLocalExecutor } = await import("../../exec/local.js");
    const view = targetViews(workspace, env, project).find((v) => v.host === "local");
    if (!view) return [];
    return (await readReleases(view, createLocalExecutor())).releases.map((r) => r.id);
  } catch {
    return [];
  }
}
