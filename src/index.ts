/** The tradeops library: what TypeScript strategies, services and scripts import. */
// secrets and accounts
export { type AccountReport, checkAccount, fetchAlpacaAccount } from "./accounts/check.js";
export { type GuardResult, keyKind, urlKind } from "./accounts/guards.js";
export { LEASE_TTL_MS, type Lease, openLease } from "./accounts/lease.js";
export { type PostgresLeaseStoreOptions, postgresLeaseStore } from "./accounts/lease-postgres.js";
export { fileLeaseStore, LEASE_CLOCK_SKEW_MS, type LeaseStore, leaseAccount } from "./accounts/lease-store.js";
// strategy runtime (SDK): one strategy API for backtest, paper and live
export {
  ALPACA_DATA_URL,
  ALPACA_LIVE_URL,
  ALPACA_PAPER_URL,
  AlpacaClient,
  AlpacaError,
} from "./adapters/alpaca/client.js";
export type { AlpacaAccount, AlpacaOrder, AlpacaPosition } from "./adapters/alpaca/types.js";
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
// health and the service host
export * from "./health/index.js";
export { type CreateLoggerOptions, createLogger, type Logger } from "./logging/logger.js";
export { SecretScrubber } from "./logging/scrubber.js";
export { type InstanceIdentity, nodeIdentity } from "./node/identity.js";
export { leaseHolderName } from "./node/lease.js";
export { type NodeSummary, runTradingNode, type TradingNodeOptions } from "./node/node.js";
export { createOrderPermit, type OrderPermit, type OrderPermitOptions, type PermitState } from "./node/permit.js";
export { fencedOrderId, type GateDecision, type OrderGate } from "./runtime/execution/gate.js";
export { type FeeModel, type SimulationSettings, simulationSettings } from "./runtime/execution/models.js";
export { type BacktestOptions, runBacktest } from "./runtime/modes/backtest.js";
export { MemorySink, type RuntimeRecord, type SignalSink } from "./runtime/records.js";
export { type BacktestReport, buildReport } from "./runtime/report/build.js";
export { type RiskSettings, riskSettings } from "./runtime/risk/settings.js";
export { backtestProject, prepareProject } from "./runtime/runner.js";
// the strategy's TradingState, over the health module's of the same name
export type { TradingState } from "./runtime/types.js";
// the strategy API (defineStrategy, indicators, z, the bar and order types): the light entry a strategy may get
export * from "./sdk.js";
export { type PreparedProcess, prepareProcess } from "./secrets/prepare.js";
export { ensureSecrets, resolveSecrets, SecretCache, type SecretsReport } from "./secrets/resolve.js";
export { buildRunEnvironment, flattenConfig } from "./secrets/run-env.js";
export { scanForSecrets } from "./secrets/scan.js";
export { isSecret, Secret } from "./secrets/secret.js";
export * from "./server/index.js";
// the signal log
export {
  type BreakReason,
  CanonicalJsonError,
  type ChainBreak,
  type ChainKey,
  type ChainTip,
  type ChainVerification,
  type Checkpoint,
  canonicalJson as canonicalSignalJson,
  type Durability,
  ENCODING_VERSION,
  encodeRecord,
  GENESIS_HASH,
  isIntact,
  type OpenSignalRecorderOptions,
  type OpenSignalStoreOptions,
  openSignalRecorder,
  openSignalStore,
  openSignalStoreAt,
  type PruneOptions,
  type PruneResult,
  parseCheckpoint,
  RECORD_KINDS,
  RECORDER_RETRY_MS,
  type ReadQuery,
  type RecorderStatus,
  type RecordKind,
  type RecordOutcome,
  recordHash,
  redactUrl,
  resolveStoreSetting,
  retentionCutoff,
  SIGNAL_KINDS,
  type SignalInput,
  type SignalKind,
  type SignalRecord,
  SignalRecorder,
  SignalSpool,
  type SignalStore,
  type StoreLocation,
  signalStoreLocation,
  type VerifyReport,
} from "./signals/index.js";
// supervisor
export * from "./supervisor/index.js";
export { findManifest, type LoadWorkspaceOptions, loadWorkspace, validateManifest } from "./workspace/load.js";
export { type Manifest, manifestJsonSchema } from "./workspace/schema.js";
export type { EnvironmentSettings, Project, Workspace } from "./workspace/types.js";
