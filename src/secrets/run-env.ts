/**
 * The environment a project's process runs with (`tradeops run`, the supervisor): the detected environment
 * and log level (under the shop's own names too), the validated config flattened into variables (config/export.ts),
 * and the secrets under their declared names. Any language reads it the same way.
 */
import { environmentExports, exportedConfig } from "../config/export.js";
import type { ResolvedConfig } from "../config/load.js";

export { flattenConfig } from "../config/export.js";

import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { tradeopsPathDir } from "../paths.js";
import type { Workspace } from "../workspace/types.js";
import type { Secret } from "./secret.js";

export interface RunEnvironment {
  /** the complete environment for the child */
  readonly env: Record<string, string>;
  /** names of the variables that hold secrets (for redacted listings) */
  readonly secretNames: readonly string[];
  /** names of the variables that come from config */
  readonly configNames: readonly string[];
}

export interface RunEnvironmentOptions {
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly config?: ResolvedConfig;
  readonly secrets: ReadonlyMap<string, Secret>;
  /** the parent's environment, passed through */
  readonly base: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds the child environment.
 * @throws TroError TRO_ERR_CONFIG_INVALID when a variable the manifest requires for this environment is missing
 */
export function buildRunEnvironment(options: RunEnvironmentOptions): RunEnvironment {
  const { workspace, environment } = options;
  const project = workspace.projects[options.project]!;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.base)) if (v !== undefined) env[k] = v;
  const configVars = options.config ? exportedConfig(project, options.config.values) : {};
  Object.assign(env, configVars);
  for (const [name, secret] of options.secrets) env[name] = secret.reveal();
  const bin = tradeopsPathDir();
  if (bin && !(env.PATH ?? "").split(":").includes(bin)) env.PATH = env.PATH ? `${bin}:${env.PATH}` : bin;
  env.TRADEOPS_NODE = process.execPath;
  // the port the manifest gives the project is the one `tradeops health` asks: a start command that reads $PORT
  // listens there under `tradeops run` and a per-service unit alike (the supervisor and deploys set their own)
  if (project.port !== undefined && env.PORT === undefined) env.PORT = String(project.port);
  Object.assign(env, {
    TRADEOPS_ENVIRONMENT: environment,
    TRADEOPS_PROJECT: project.name,
    TRADEOPS_WORKSPACE: workspace.root,
    TRADEOPS_CONFIG_HASH: options.config?.hash ?? "",
  });
  // the child detects the same environment whatever it runs, spelled the way the shop's code reads it
  Object.assign(env, environmentExports(workspace, project, environment, options.base));
  const missing = (project.requiredEnv[environment] ?? []).filter((name) => !env[name]);
  if (missing.length) {
    throw new TroError(
      "TRO_ERR_CONFIG_INVALID",
      `Project ${project.name} needs ${missing.join(", ")} in ${environment}, and ${missing.length === 1 ? "it is" : "they are"} not set.`,
      { hint: `Set ${missing.join(", ")} (projects.${project.name}.requiredEnv.${environment} in tradeops.yaml).` },
    );
  }
  return { env, secretNames: [...options.secrets.keys()], configNames: Object.keys(configVars) };
}
