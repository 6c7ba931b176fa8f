/**
 * What every (re)start checks before a process exists: the project and its start command in the manifest as
 * it is now, one port per instance, never two order senders of a project at once, never a second copy of a
 * service that a lost state file no longer mentions.
 */

import { resolve as resolvePath } from "node:path";
import { TroError } from "../errors.js";
import { requireProject } from "../workspace/lookup.js";
import type { Project, Workspace } from "../workspace/types.js";
import { buildStartArgv, SUPERVISOR_MARKER, supervisorMarker } from "./command.js";
import type { Instance } from "./instance.js";
import type { Launch } from "./instance-context.js";
import { findProcessesWithEnv } from "./process-info.js";
import { type Spawner, terminate } from "./spawn.js";
import type { InstanceRequest } from "./types.js";

/**
 * The projects a `PROJECT|all` argument names: every project with a start command, or the one named, which
 * must have one.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_USAGE (no start command)
 */
export function startableProjects(workspace: Workspace, which: string | undefined): string[] {
  if (which === undefined || which === "all")
    return Object.values(workspace.projects)
      .filter((p) => p.commands.start)
      .map((p) => p.name);
  const project = requireProject(workspace, which);
  ensureStartCommand(project);
  return [project.name];
}

/** @throws TroError TRO_ERR_USAGE when the project has no start command */
function ensureStartCommand(project: Project): string {
  if (!project.commands.start) {
    throw new TroError("TRO_ERR_USAGE", `Project ${project.name} has no start command.`, {
      hint: `Declare projects.${project.name}.commands.start in tradeops.yaml.`,
    });
  }
  return project.commands.start;
}

/**
 * The launch of a request in this manifest.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_USAGE (no start command)
 */
export function resolveLaunch(workspace: Workspace, request: InstanceRequest): Launch {
  const project = requireProject(workspace, request.project);
  const command = ensureStartCommand(project);
  return {
    workspace,
    argv: buildStartArgv(command),
    command,
    dir: request.dir ? resolvePath(workspace.root, request.dir) : project.dir,
    port: request.port ?? project.port,
    health: project.health,
    sendsOrders: project.sendsOrders,
  };
}

export interface GuardOptions {
  /** look for live copies outside supervision (a scan of every process) */
  readonly scan: boolean;
  readonly stateDir: string;
  readonly spawner: Spawner;
  readonly graceMs: number;
  notice(message: string): void;
}

/**
 * Refuses a launch that would clash with the other active instances or with a copy nobody supervises.
 * @throws TroError TRO_ERR_USAGE (port taken), TRO_ERR_GUARD_REFUSED (a second order sender)
 */
export async function guardLaunch(
  instance: Instance,
  launch: Launch,
  others: readonly Instance[],
  options: GuardOptions,
): Promise<void> {
  const port = launch.port;
  const clash = port === undefined ? undefined : others.find((i) => (i.launch?.port ?? i.request.port) === port);
  if (clash) {
    throw new TroError("TRO_ERR_USAGE", `Port ${port} is already used by ${clash.name}.`, {
      hint: `Give ${instance.name} another port with --port, or stop ${clash.name} first.`,
    });
  }
  if (launch.sendsOrders && instance.request.orders) {
    const sender = others.find((i) => i.request.project === instance.request.project && i.request.orders);
    if (sender) {
      throw new TroError(
        "TRO_ERR_GUARD_REFUSED",
        `${instance.name} would send orders while ${sender.name}${sender.pid ? ` (pid ${sender.pid})` : ""} does.`,
        { hint: `Start it with --orders off, or stop ${sender.name} first.` },
      );
    }
  }
  if (!options.scan) return;
  const marker = supervisorMarker(options.stateDir, instance.name);
  const leftovers = findProcessesWithEnv(SUPERVISOR_MARKER, marker).filter(
    (pid) => pid !== instance.pid && pid !== instance.spare.pid,
  );
  if (!leftovers.length) return;
  if (launch.sendsOrders) {
    throw new TroError(
      "TRO_ERR_GUARD_REFUSED",
      `A copy of ${instance.name} (pid ${leftovers.join(", ")}) still runs outside supervision; it sends orders, so a second one is not started.`,
      { hint: `Stop it (kill ${leftovers.join(" ")}) once it is safe, then start again.` },
    );
  }
  for (const pid of leftovers) {
    const handle = options.spawner.adopt(pid, undefined);
    if (handle) await terminate(handle, options.graceMs);
    options.notice(`${instance.name}: stopped a leftover copy (pid ${pid}) before starting`);
  }
}
