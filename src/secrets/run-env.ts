/**
 * The environment a project's process runs with (`tradeops run`, the supervisor): the detected environment,
 * the validated config flattened into prefixed variables, and the secrets under their declared names. Any
 * language reads it the same way.
 */
import type { ResolvedConfig } from "../config/load.js";
import { isPlainObject } from "../config/load.js";
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

/** `{trading: {auto_execute: false}}` with prefix `ARGO_` → `ARGO_TRADING__AUTO_EXECUTE=false`; lists and objects in leaves as JSON. */
export function flattenConfig(values: Readonly<Record<string, unknown>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: string[]) => {
    if (isPlainObject(value) && Object.keys(value).length) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    if (value === undefined) return;
    out[`${prefix}${path.map((p) => p.toUpperCase()).join("__")}`] =
      typeof value === "string" ? value : JSON.stringify(value);
  };
  walk(values, []);
  return out;
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
  const prefix = project.config?.envPrefix ?? `${project.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
  const configVars = options.config ? flattenConfig(options.config.values, prefix) : {};
  Object.assign(env, configVars);
  for (const [name, secret] of options.secrets) env[name] = secret.reveal();
  const bin = tradeopsPathDir();
  if (bin && !(env.PATH ?? "").split(":").includes(bin)) env.PATH = env.PATH ? `${bin}:${env.PATH}` : bin;
  env.TRADEOPS_NODE = process.execPath;
  Object.assign(env, {
    TRADEOPS_ENVIRONMENT: environment,
    TRADEOPS_PROJECT: project.name,
    TRADEOPS_WORKSPACE: workspace.root,
    TRADEOPS_CONFIG_HASH: options.config?.hash ?? "",
    // the child detects the same environment whatever it runs
    [workspace.detect.variable]: environment,
  });
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
