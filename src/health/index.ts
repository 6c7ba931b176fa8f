/** The health library's public surface: what the runtime registers and what services and scripts import. */
export { aggregate, type ComponentSummary, summarize } from "./aggregate.js";
export {
  dataFeedComponent,
  eventLoopComponent,
  memoryComponent,
  type TradingState,
  tradingStateComponent,
} from "./components.js";
export {
  databaseCheck,
  dataFreshnessCheck,
  httpCheck,
  injectedCheck,
  type MetricRule,
  metricThresholdChecks,
  systemChecks,
} from "./deep/checks.js";
export { type LogErrorsOptions, logErrorsCheck } from "./deep/log-errors.js";
export {
  type CheckOutcome,
  createDeepRunner,
  DEEP_CACHE_TTL_MS,
  DEEP_CHECK_TIMEOUT_MS,
  type DeepCheck,
  type DeepRound,
  type DeepRunner,
} from "./deep/runner.js";
export { createFreshnessTracker, type FreshnessOptions, FreshnessTracker } from "./freshness.js";
export { HEALTH_JSON_TYPE } from "./health-json.js";
export { Liveness } from "./liveness.js";
export { createServiceMetrics, ServiceMetrics, type ServiceMetricsOptions } from "./metrics.js";
export { createMonitor, type Monitor, type MonitorOptions } from "./monitor.js";
export { type HealthLevel, type ProbeCheck, type ProbeResult, probeHealth } from "./probe.js";
export {
  type ComponentReport,
  type ComponentSpec,
  createHealthRegistry,
  HealthRegistry,
} from "./registry.js";
export type { CheckView, Level1Report, Level2Report, Level3Report } from "./reports.js";
export { createSystemMonitor, type SystemMonitor, type SystemSnapshot } from "./system-monitor.js";
export { DEEP_PATH, type HealthTarget, selectHealthTargets } from "./targets.js";
export { type Clock, type ComponentSample, type HealthStatus, HTTP_STATUS } from "./types.js";
