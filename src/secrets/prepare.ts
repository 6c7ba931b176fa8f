/** Everything a project's process needs before it starts: validated config, resolved secrets, its environment. */
import { loadConfig, type ResolvedConfig } from "../config/load.js";
import type { EnvironmentName } from "../environment/names.js";
import type { Workspace } from "../workspace/types.js";
import { ensureSecrets, resolveSecrets, type SecretCache, type SecretsReport } from "./resolve.js";
import { buildRunEnvironment, type RunEnvironment } from "./run-env.js";
import type { Secret } from "./secret.js";

export interface PreparedProcess {
  readonly config?: ResolvedConfig;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly report: SecretsReport;
  readonly run: RunEnvironment;
}

export interface PrepareOptions {
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cache?: SecretCache;
}

/**
 * Loads config and secrets afresh (a restart never reuses a stale environment) and builds the child environment.
 * @throws TroError TRO_ERR_CONFIG_INVALID, TRO_ERR_SECRET_UNRESOLVED, TRO_ERR_SECRET_PROVIDER
 */
export async function prepareProcess(options: PrepareOptions): Promise<PreparedProcess> {
  const project = options.workspace.projects[options.project];
  const config = project?.config
    ? await loadConfig({
        workspace: options.workspace,
        project: options.project,
        environment: options.environment,
        env: options.env,
      })
    : undefined;
  const report = await resolveSecrets({ ...options, config: config?.values });
  const secrets = ensureSecrets(report);
  const run = buildRunEnvironment({ ...options, config, secrets, base: options.env });
  return { config, secrets, report, run };
}
