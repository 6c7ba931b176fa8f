/**
 * What the console's plugins share: the workspace and environment it serves, the supervisor it reads and
 * drives, how callers prove who they are, and the effects (clock, fetch, spawning the CLI) tests replace.
 */
import type { Detection } from "../../environment/detect.js";
import type { EnvironmentName } from "../../environment/names.js";
import type { StartResult, Target } from "../../supervisor/supervisor.js";
import type { InstanceRequest, InstanceStatus, SupervisorStatus } from "../../supervisor/types.js";
import type { Workspace } from "../../workspace/types.js";
import type { TokenSource } from "../auth.js";
import type { BacktestQueue } from "./backtest-queue.js";
import type { Overview } from "./overview.js";
import type { StatusCache } from "./status-cache.js";

export type BaseEnv = Readonly<Record<string, string | undefined>>;

/** The supervisor as the console uses it: the in-process one under `up`, a socket client under `console`. */
export interface SupervisorPort {
  status(): Promise<SupervisorStatus> | SupervisorStatus;
  start(request: InstanceRequest, env: BaseEnv): Promise<StartResult>;
  stop(target: Target): Promise<InstanceStatus[]>;
  restart(target: Target, env: BaseEnv): Promise<InstanceStatus[]>;
}

/** Basic auth: a user name and a bcrypt hash of the password (never the password itself). */
export interface BasicCredentials {
  readonly user: string;
  readonly hash: string;
}

export interface ConsoleAuth {
  /** bearer token for mutating routes */
  readonly token?: TokenSource;
  readonly basic?: BasicCredentials;
  /** reads need credentials too (the console listens beyond loopback) */
  readonly protectReads: boolean;
}

export interface ConsoleContext {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly detection: Detection;
  /** the environment variables services, secrets and backtests see */
  readonly env: BaseEnv;
  readonly supervisor: SupervisorPort;
  readonly status: StatusCache;
  /** the overview's answer, cached between changes */
  readonly overview: Overview;
  readonly auth: ConsoleAuth;
  readonly backtests: BacktestQueue;
  /** where the built dashboard is (index.html and assets), when it is built */
  readonly dashboardDir: string | undefined;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly startedAt: Date;
  /** sends an event to the environment's notification channels (fire and forget) */
  readonly alert: import("./alerts.js").Send;
}
