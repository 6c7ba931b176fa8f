/**
 * How a project's config, environment and log level reach its process under the shop's own names: config
 * keys under a prefix (none at all with `export.prefix: ""`) or under chosen variables (`USE_ARCHIVED_DATA`),
 * the environment spelled the shop's way (`BASIS_ENVIRONMENT=dev`), the log level as LOG_LEVEL or a chosen name.
 */
import { canonicalEnvironment, type EnvironmentName } from "../environment/names.js";
import type { Project, Workspace } from "../workspace/types.js";
import { isPlainObject } from "./load.js";

/** The prefix config keys are exported under: `export.prefix`, else `envPrefix`, else `PROJECT_`. */
export function exportPrefix(project: Project): string {
  return (
    project.config?.export?.prefix ??
    project.config?.envPrefix ??
    `${project.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`
  );
}

/**
 * `{trading: {auto_execute: false}}` → `ARGO_TRADING__AUTO_EXECUTE=false` (prefix `ARGO_`; `__` nests); a key named
 * in `names` is exported under that variable instead; lists and objects in leaves as JSON.
 */
export function flattenConfig(
  values: Readonly<Record<string, unknown>>,
  prefix: string,
  names: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: string[]) => {
    const chosen = names[path.join(".")];
    if (!chosen && isPlainObject(value) && Object.keys(value).length) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    if (value === undefined) return;
    out[chosen ?? `${prefix}${path.map((p) => p.toUpperCase()).join("__")}`] =
      typeof value === "string" ? value : JSON.stringify(value);
  };
  walk(values, []);
  return out;
}

/** The project's config as variables, named as the manifest says. */
export function exportedConfig(project: Project, values: Readonly<Record<string, unknown>>): Record<string, string> {
  return flattenConfig(values, exportPrefix(project), project.config?.export?.names ?? {});
}

/**
 * The variables that name the environment and its log level for one project's process. The detection variable
 * keeps the operator's spelling when it names the same environment (`BASIS_ENVIRONMENT=dev` stays `dev`).
 */
export function environmentExports(
  workspace: Workspace,
  project: Project,
  environment: EnvironmentName,
  base: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const own = project.environmentVariable;
  const spelled = own?.values[environment] ?? environment;
  const variable = workspace.detect.variable;
  const given = base[variable];
  if (given && canonicalEnvironment(given, workspace.detect.aliases) === environment) out[variable] = given;
  else out[variable] = own?.name === variable ? spelled : environment;
  if (own) out[own.name] = spelled;
  const level = workspace.settings[environment]?.logLevel;
  const logVar = project.logLevelVariable;
  // an operator's own LOG_LEVEL=… on the command line wins over the manifest's level
  if (level && !base[logVar.name]) out[logVar.name] = logVar.values[level] ?? level;
  return out;
}
