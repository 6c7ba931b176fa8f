/**
 * Where `tradeops health` looks: each project's port and health paths from the manifest, on this machine,
 * or on the environment's target hosts when they are remote (at the target's port).
 */

import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { parseHost, requireProject, urlHost } from "../workspace/lookup.js";
import type { Project, Workspace } from "../workspace/types.js";

/** The level-3 endpoint every tradeops service host serves (the manifest names only levels 1 and 2). */
export const DEEP_PATH = "/health/deep";
/** A level-3 request waits for the service's own check deadlines plus this margin. */
export const DEEP_REQUEST_MARGIN_MS = 5000;

export interface HealthTarget {
  readonly project: string;
  /** base URL, e.g. `http://127.0.0.1:8000` */
  readonly url: string;
  readonly remote: boolean;
  readonly paths: { readonly level1: string; readonly level2: string; readonly level3: string };
  readonly timeoutMs: number;
}

export interface TargetSelection {
  readonly targets: HealthTarget[];
  readonly skipped: { readonly project: string; readonly reason: string }[];
}

function targetsOf(workspace: Workspace, environment: EnvironmentName, project: Project): HealthTarget[] | string {
  const target = workspace.targets[environment]?.[project.name];
  const port = target?.port ?? project.port;
  if (port === undefined) return "no port in tradeops.yaml";
  const hosts = target?.hosts ?? ["local"];
  const paths = {
    level1: project.health.path,
    level2: project.health.detailedPath,
    level3: project.health.deepPath ?? DEEP_PATH,
  };
  return hosts.map((h) => ({
    project: project.name,
    url: `http://${urlHost(parseHost(h))}:${port}`,
    remote: h !== "local",
    paths,
    timeoutMs: project.health.timeoutSeconds * 1000,
  }));
}

/**
 * The endpoints to check for one project or `all` (projects without a port are skipped, and say so).
 * @throws TRO_ERR_PROJECT_UNKNOWN for an unknown name; TRO_ERR_USAGE when the named project has no port
 */
export function selectHealthTargets(
  workspace: Workspace,
  environment: EnvironmentName,
  which: string,
): TargetSelection {
  const projects = which === "all" ? Object.values(workspace.projects) : [requireProject(workspace, which)];
  const selection: TargetSelection = { targets: [], skipped: [] };
  for (const project of projects) {
    const found = targetsOf(workspace, environment, project);
    if (typeof found === "string") selection.skipped.push({ project: project.name, reason: found });
    else selection.targets.push(...found);
  }
  if (which !== "all" && selection.targets.length === 0) {
    // a process without a port is judged by a heartbeat file or a command, not by an endpoint it does not serve
    const hint =
      projects[0]?.kind === "worker"
        ? `Give projects.${which}.health a heartbeatFile or a command to judge it by, or see \`tradeops status ${which}\`.`
        : `Set projects.${which}.port (or targets.${environment}.${which}.port) to the port the service listens on.`;
    throw new TroError("TRO_ERR_USAGE", `project ${which} has no port in tradeops.yaml, so it has no health endpoint`, {
      hint,
    });
  }
  return selection;
}
