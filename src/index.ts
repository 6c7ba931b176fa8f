/** The tradeops library: what TypeScript strategies, services and scripts import. */
export * as z from "zod";
export { type CheckResult, type ConfigCheckReport, checkConfig, isPlaceholder } from "./config/check.js";
export { generateExample } from "./config/example.js";
export {
  type ConfigLayer,
  type ConfigResolution,
  canonicalJson,
  type LoadConfigOptions,
  loadConfig,
  type Origin,
  type ResolvedConfig,
  resolveConfig,
} from "./config/load.js";
export { redactConfig, sensitiveValues } from "./config/redact.js";
export { type ConfigSchema, loadConfigSchema } from "./config/schema-source.js";
export { type OpenWorkspaceOptions, openWorkspace, type WorkspaceContext } from "./context.js";
export { type Detection, type DetectOptions, detectEnvironment, type RuleEvaluation } from "./environment/detect.js";
export { canonicalEnvironment, ENVIRONMENTS, type EnvironmentName } from "./environment/names.js";
export { ERROR_CODES, type ErrorCode, EXIT, type Problem, TroError } from "./errors.js";
export { type CreateLoggerOptions, createLogger, type Logger } from "./logging/logger.js";
export { SecretScrubber } from "./logging/scrubber.js";
export { findManifest, type LoadWorkspaceOptions, loadWorkspace, validateManifest } from "./workspace/load.js";
export { type Manifest, manifestJsonSchema } from "./workspace/schema.js";
export type { EnvironmentSettings, Project, Workspace } from "./workspace/types.js";
// secrets and accounts
export { type AccountReport, checkAccount, fetchAlpacaAccount } from "./accounts/check.js";
export { type GuardResult, keyKind, urlKind } from "./accounts/guards.js";
export { type Lease, LEASE_TTL_MS, openLease } from "./accounts/lease.js";
export { type PreparedProcess, prepareProcess } from "./secrets/prepare.js";
export { ensureSecrets, resolveSecrets, SecretCache, type SecretsReport } from "./secrets/resolve.js";
export { buildRunEnvironment, flattenConfig } from "./secrets/run-env.js";
export { scanForSecrets } from "./secrets/scan.js";
export { isSecret, Secret } from "./secrets/secret.js";
