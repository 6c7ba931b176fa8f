/** A project's target in an environment, resolved from the manifest: hosts, base path, public and colour ports. */
import { isAbsolute, resolve } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { parseHost } from "../workspace/lookup.js";
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
  // without a port, the project's kind decides: a worker (no proxy) or static files (deploy-style.ts)
  const style =
    port === undefined ? portlessStyleOf(workspace.projects[project]!, `targets.${environment}.${project}`) : undefined;
  if (port === undefined && !style) {
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `targets.${environment}.${project} has no port, and neither has the project.`,
      {
        hint:
          workspace.projects[project]?.kind === "worker"
            ? "Blue/green deploys need a port; a worker runs on a server under `tradeops generate systemd --per-service` or the supervisor's unit."
            : `Set targets.${environment}.${project}.port: the public port the front proxy listens on.`,
      },
    );
  }
  const internalPorts = (port === undefined ? [0, 0] : (t.internalPorts ?? [port + 1, port + 2])) as [number, number];
  if (port !== undefined && (internalPorts[0] === internalPorts[1] || internalPorts.includes(port))) {
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `targets.${environment}.${project}: the public port and the two colour ports must all differ.`,
      { hint: `e.g. port: ${port}, internalPorts: [${port + 1}, ${port + 2}]` },
    );
  }
  const local = t.hosts.every((h) => parseHost(h).local);
  return {
    environment,
    project,
    hosts: t.hosts,
    path: local && !isAbsolute(t.path) ? resolve(workspace.root, t.path) : t.path,
    port: port ?? 0,
    internalPorts,
    keepReleases: t.keepReleases,
    lease:
      t.lease ?? (workspace.settings[environment]?.signals.store.trim().startsWith("postgres:") ? "postgres" : "file"),
    persist: t.persist ?? [],
    secrets: t.secrets ?? "deployer",
    ...(style ? { style } : {}),
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
