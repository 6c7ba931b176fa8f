/**
 * The environment a release runs with on its target: the project's config for the target environment (base and
 * environment overlay only — never this machine's local overlay or prefixed variables), its secrets, and the
 * variables the manifest requires. It is written to the target as a 0600 env file; values are shell-quoted. A target
 * with `secrets: host` gets no secret in it: its host's tradeops resolves them (host-secrets.ts).
 */
import { createHmac } from "node:crypto";
import { canonicalJson, leafKeys, loadConfig, type ResolvedConfig } from "../config/load.js";
import type { EnvironmentName } from "../environment/names.js";
import { ensureSecrets, resolveSecrets } from "../secrets/resolve.js";
import { buildRunEnvironment, type RunEnvironment } from "../secrets/run-env.js";
import type { Secret } from "../secrets/secret.js";
import { valueAt } from "../validation/zod-issues.js";
import type { Workspace } from "../workspace/types.js";
import { declaredSecrets } from "./host-secrets.js";

export interface PreparedRelease {
  readonly run: RunEnvironment;
  readonly config?: ResolvedConfig;
  readonly warnings: readonly string[];
  /** with `secrets: host`: the secrets the host resolves (names only; the env file carries none of them) */
  readonly hostSecrets?: readonly string[];
}

export interface PrepareReleaseOptions {
  /** where the target's secrets are resolved (`targets.ENV.PROJECT.secrets`); `host`: not here */
  readonly secrets?: "deployer" | "host";
}

/** Variables that describe the release (besides its config, secrets and required variables). */
const RELEASE_VARIABLES = ["TRADEOPS_ENVIRONMENT", "TRADEOPS_PROJECT", "TRADEOPS_CONFIG_HASH"];

/**
 * Loads config and secrets of a project for a target environment (with `secrets: host`, config only: the host
 * resolves the secrets, and this machine never reads them).
 * @throws TroError TRO_ERR_CONFIG_INVALID, TRO_ERR_CONFIG_SCHEMA, TRO_ERR_SECRET_UNRESOLVED, TRO_ERR_SECRET_PROVIDER
 */
export async function prepareRelease(
  workspace: Workspace,
  project: string,
  environment: EnvironmentName,
  env: Readonly<Record<string, string | undefined>>,
  options: PrepareReleaseOptions = {},
): Promise<PreparedRelease> {
  const definition = workspace.projects[project]!;
  const config = definition.config
    ? await loadConfig({ workspace, project, environment, env, includeLocal: false, includeEnv: false })
    : undefined;
  const onHost = options.secrets === "host";
  const report = onHost
    ? undefined
    : await resolveSecrets({ workspace, project, environment, env, config: config?.values });
  const secrets = report ? ensureSecrets(report) : new Map<string, Secret>();
  const required = definition.requiredEnv[environment] ?? [];
  const base = Object.fromEntries(required.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  const run = buildRunEnvironment({ workspace, project, environment, config, secrets, base });
  const keep = new Set([
    ...run.configNames,
    ...run.secretNames,
    ...required,
    ...RELEASE_VARIABLES,
    workspace.detect.variable,
    // the shop's own spelling of the environment and its log level (ENVIRONMENT=…, LOG_LEVEL=…)
    ...(definition.environmentVariable ? [definition.environmentVariable.name] : []),
    definition.logLevelVariable.name,
  ]);
  // only what describes the release: this machine's PATH, node and workspace mean nothing on the target
  const releaseEnv = Object.fromEntries(Object.entries(run.env).filter(([k]) => keep.has(k)));
  return {
    run: { ...run, env: releaseEnv },
    config,
    warnings: report?.warnings ?? [],
    ...(onHost ? { hostSecrets: declaredSecrets(definition, environment) } : {}),
  };
}

/** The env file's text: `NAME='value'` lines a POSIX shell sources with `set -a`. */
export function renderEnvFile(run: RunEnvironment): string {
  const lines = Object.entries(run.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`);
  return `# written by tradeops deploy; sourced by the release's start command\n${lines.join("\n")}\n`;
}

/** Per config key, a digest of its value salted with the target's secret salt: tells which keys changed, not what. */
export function configDigest(config: ResolvedConfig | undefined, salt: string): Record<string, string> {
  if (!config) return {};
  const out: Record<string, string> = {};
  for (const key of leafKeys(config.values)) {
    const value = canonicalJson(valueAt(config.values, key.split(".")));
    out[key] = createHmac("sha256", salt).update(`${key}\0${value}`).digest("hex").slice(0, 16);
  }
  return out;
}

/** Keys added, removed or changed between two digests, sorted. */
export function changedKeys(
  before: Readonly<Record<string, string>> | undefined,
  after: Readonly<Record<string, string>>,
): string[] {
  if (!before) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
