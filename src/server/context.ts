/** What the service host's plugins share: one object built by `createServiceHost`, no globals. */
import type { TradingState } from "../health/components.js";
import type { DeepRunner } from "../health/deep/runner.js";
import type { Liveness } from "../health/liveness.js";
import type { ServiceMetrics } from "../health/metrics.js";
import type { HealthRegistry } from "../health/registry.js";
import type { ServiceIdentity } from "../health/reports.js";
import type { SystemMonitor } from "../health/system-monitor.js";
import type { Clock } from "../health/types.js";
import type { TokenSource } from "./auth.js";
import type { Lifecycle } from "./lifecycle.js";
import type { PortfolioSource } from "./plugins/portfolio-route.js";

/** The trading-state switch the control routes drive (the runtime's kill switch). */
export interface TradingControls {
  halt(request: { readonly reason: string; readonly source: "http" }): Promise<void> | void;
  resume(request: { readonly source: "http" }): Promise<void> | void;
  state?(): { state: TradingState; reasonCode?: string };
}

/** The few logger methods the host uses; a pino logger fits. */
export interface HostLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: HostLogger = { info() {}, warn() {}, error() {} };

export interface HostContext {
  readonly identity: ServiceIdentity;
  readonly clock: Clock;
  readonly registry: HealthRegistry;
  readonly liveness: Liveness;
  readonly system: SystemMonitor;
  readonly metrics: ServiceMetrics;
  readonly deep: DeepRunner;
  readonly lifecycle: Lifecycle;
  readonly controls: TradingControls | undefined;
  readonly controlToken: TokenSource | undefined;
  /** the strategy's book for GET /portfolio (strategies only) */
  readonly portfolio?: PortfolioSource;
  readonly corsOrigins: readonly string[];
  readonly logger: HostLogger;
  /** extra level-1 and level-2 paths from the manifest (`health.path`, `health.detailedPath`) */
  readonly paths: { readonly level1: readonly string[]; readonly level2: readonly string[] };
}
