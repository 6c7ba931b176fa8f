import type { EnvironmentName } from "../environment/names.js";
import type { Problem } from "../errors.js";
import type { KeyPath, Position } from "../validation/document.js";
import type {
  AccountBindingManifest,
  DetectRules,
  EnvironmentVariableManifest,
  ExecutionMode,
  HealthSettings,
  LogLevelVariableManifest,
  Manifest,
  NotificationChannelManifest,
  PolicyManifest,
  TargetManifest,
} from "./schema.js";

export interface EnvironmentSettings {
  readonly name: EnvironmentName;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  readonly logRetentionDays: number;
  readonly signals: { readonly store: string; readonly required: boolean; readonly retentionDays: number };
  readonly executionMode: ExecutionMode;
  readonly autoExecute: boolean;
  readonly pauseWhenIdle: boolean;
  readonly idle: {
    readonly processes: readonly string[];
    readonly heartbeatFile?: string;
    readonly heartbeatMaxAgeMinutes?: number;
  };
  /** channels for operator notifications (docs/console.md) */
  readonly notifications: readonly NotificationChannelManifest[];
}

export interface SecretChain {
  readonly sources: readonly string[];
  readonly allowLastResort: boolean;
  readonly optional: boolean;
}

export interface ProjectConfigFiles {
  /** absolute paths */
  readonly schema?: string;
  readonly base?: string;
  readonly environments: Readonly<Partial<Record<EnvironmentName, string>>>;
  readonly local?: string;
  readonly example?: string;
  readonly envPrefix?: string;
  /** how config is exported to the process: the prefix ("" for none) and key → variable names */
  readonly export?: { readonly prefix?: string; readonly names: Readonly<Record<string, string>> };
}

export interface Project {
  readonly name: string;
  /** absolute path of the project's directory */
  readonly dir: string;
  /** path relative to the workspace root, as written in the manifest */
  readonly path: string;
  readonly kind: "service" | "strategy" | "worker" | "frontend" | "library";
  readonly description?: string;
  /** projects deployed with this one, including the ones that name this one */
  readonly coupledWith: readonly string[];
  readonly sendsOrders: boolean;
  readonly liveTrading: boolean;
  readonly commands: Readonly<Partial<Record<"install" | "test" | "lint" | "build" | "start" | "migrate", string>>>;
  readonly port?: number;
  /** a static frontend's build output, relative to its directory */
  readonly outputDir?: string;
  readonly health: HealthSettings;
  readonly config?: ProjectConfigFiles;
  readonly secrets: Readonly<Record<string, Readonly<Partial<Record<EnvironmentName, SecretChain>>>>>;
  readonly accounts: Readonly<Partial<Record<EnvironmentName, AccountBindingManifest>>>;
  readonly requiredEnv: Readonly<Partial<Record<EnvironmentName, readonly string[]>>>;
  /** the environment, also exported under the shop's variable and spelling */
  readonly environmentVariable?: EnvironmentVariableManifest;
  /** the environment's log level, exported under this variable (LOG_LEVEL unless the manifest says otherwise) */
  readonly logLevelVariable: LogLevelVariableManifest;
}

export interface Workspace {
  readonly root: string;
  readonly manifestPath: string;
  readonly name: string;
  /** environments the manifest declares (all four when it declares none) */
  readonly environments: readonly EnvironmentName[];
  readonly settings: Readonly<Partial<Record<EnvironmentName, EnvironmentSettings>>>;
  readonly detect: DetectRules;
  readonly projects: Readonly<Record<string, Project>>;
  readonly shared: readonly string[];
  readonly targets: Readonly<Partial<Record<EnvironmentName, Readonly<Record<string, TargetManifest>>>>>;
  readonly policies: Readonly<Partial<Record<EnvironmentName, PolicyManifest>>>;
  readonly manifest: Manifest;
  /** problems worth showing that do not stop anything */
  readonly warnings: readonly Problem[];
  /** position of a manifest key, for messages raised after loading */
  locate(path: KeyPath): Position | undefined;
}
