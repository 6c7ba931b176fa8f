/** A project's target in an environment, resolved from the manifest: hosts, base path, public and colour ports. */
import { isAbsolute, resolve } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Workspace } from "../workspace/types.js";
import { portlessStyleOf } from "./deploy-style.js";
import type { ResolvedTarget } from "./types.js";

/** Projects that have a target in the environment, in manifest order. */
export function projectsWithTargets(workspace: Workspace, environment: EnvironmentName): string[] {
  return Object.keys(workspace.targets[environment] ?? {}).filter((p) => workspace.projects[p]);
}

/** The target of a project, or undefined when the environment has none for it. */
export function findTarget(
  workspace: Workspace,
  environment: EnvironmentName,
  project: string,
): ResolvedTarget | undefined {
  const t = workspace.targets[environment]?.[project];
  if (!t) return undefined;
  const port = t.port ?? workspace.projects[project]?.port;
  const style =
    port === undefined ? portlessStyleOf(workspace.projects[project]!, `targets.${environment}.${project}`) : undefined;
  if (style) return { ...portlessTarget(workspace, environment, project, t), style };
  if (port === undefined) {
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `targets.${environment}.${project} has no port, and neither has the project.`,
      {
        hint: `Set targets.${environment}.${project}.port: the public port the front proxy listens on (a process without a port is \`kind: worker\`).`,
      },
    );
  }
  const internalPorts = (t.internalPorts ?? [port + 1, port + 2]) as [number, number];
  if (internalPorts[0] === internalPorts[1] || internalPorts.includes(port)) {
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `targets.${environment}.${project}: the public port and the two colour ports must all differ.`,
      { hint: `e.g. port: ${port}, internalPorts: [${port + 1}, ${port + 2}]` },
    );
  }
  return { ...portlessTarget(workspace, environment, project, t), port, internalPorts };
}

/** The target's fields that do not depend on a port (a worker's or a static frontend's target is only these). */
function portlessTarget(
  workspace: Workspace,
  environment: EnvironmentName,
  project: string,
  t: NonNullable<Workspace["targets"][EnvironmentName]>[string],
): ResolvedTarget {
  const local = t.hosts.every((h) => h === "local");
  return {
    environment,
    project,
    hosts: t.hosts,
    path: local && !isAbsolute(t.path) ? resolve(workspace.root, t.path) : t.path,
    port: 0,
    internalPorts: [0, 0],
    keepReleases: t.keepReleases,
    lease:
      t.lease ?? (workspace.settings[environment]?.signals.store.trim().startsWith("postgres:") ? "postgres" : "file"),
    persist: t.persist ?? [],
  };
}

/**
 * The target of a project, which must exist.
 * @throws TroError TRO_ERR_USAGE when the environment has no target for the project
 */
export function requireTarget(workspace: Workspace, environment: EnvironmentName, project: string): ResolvedTarget {
  const target = findTarget(workspace, environment, project);
  if (!target) {
    throw new TroError("TRO_ERR_USAGE", `${project} has no target in ${environment}.`, {
      hint: `Add targets.${environment}.${project} (hosts, path, port) to tradeops.yaml.`,
    });
  }
  return target;
}
