/** Opening an environment's signal store from its `signals.store` setting. */
import { basename, join } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { releasePersistRoot } from "../workspace/release.js";
import type { Workspace } from "../workspace/types.js";
import { openPostgresBackend } from "./postgres/backend.js";
import { SignalRecorder } from "./recorder.js";
import { resolveStoreSetting, type StoreLocation } from "./setting.js";
import { SignalSpool } from "./spool.js";
import { openSqliteBackend } from "./sqlite/backend.js";
import { createSignalStore } from "./store.js";
import type { Durability, SignalStore } from "./types.js";

export interface StoreOpenOptions {
  readonly environment: EnvironmentName;
  /** read-only: never creates a store or migrates it (what verify, tail and export use) */
  readonly readOnly?: boolean;
  /** create (or migrate) the store when it does not exist yet; default: unless read-only */
  readonly create?: boolean;
  /** default `full` */
  readonly durability?: Durability;
  /** the clock for records appended without a time */
  readonly now?: () => Date;
  /** threads verify may hash a long SQLite chain on (default: the cores, at most 4; 1: the calling thread only) */
  readonly verifyThreads?: number;
}

export interface OpenSignalStoreOptions extends Omit<StoreOpenOptions, "environment"> {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  /** where `${VAR}` in the setting is looked up; default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Where an environment's signal store is, with `${VAR}` expanded; a relative sqlite path is relative to the workspace
 * root, or in a release deployed on a target, to the target's `shared/persist/`.
 * @throws TroError TRO_ERR_MANIFEST_INVALID for an unset variable or a malformed setting; TRO_ERR_ENV_UNDECLARED
 */
export function signalStoreLocation(
  workspace: Workspace,
  environment: EnvironmentName,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StoreLocation {
  const settings = workspace.settings[environment];
  if (!settings)
    throw new TroError("TRO_ERR_ENV_UNDECLARED", `The workspace does not declare the environment ${environment}.`, {
      hint: `Add environments.${environment} to tradeops.yaml.`,
    });
  const path = ["environments", environment, "signals", "store"];
  const position = workspace.locate(path);
  return resolveStoreSetting(settings.signals.store, {
    // a deployed release's relative sqlite store is the target's, in its persistent area: one chain for every
    // release and rollback, not one per release directory
    root: releasePersistRoot(workspace.root) ?? workspace.root,
    env,
    key: path.join("."),
    where: position ? { file: basename(workspace.manifestPath), ...position } : undefined,
  });
}

/**
 * Opens a store at a resolved location.
 * @throws TroError TRO_ERR_SIGNALS_STORE (exit 69) when it cannot be opened or reached
 */
export async function openSignalStoreAt(location: StoreLocation, options: StoreOpenOptions): Promise<SignalStore> {
  if (location.backend === "none")
    throw new TroError("TRO_ERR_SIGNALS_STORE", `The signal log of ${options.environment} is turned off.`, {
      hint: `environments.${options.environment}.signals.store is none in tradeops.yaml; set sqlite:PATH or postgres:URL to keep signals.`,
    });
  const readOnly = Boolean(options.readOnly);
  const common = { readOnly, create: options.create ?? !readOnly, durability: options.durability ?? "full" } as const;
  const backend =
    location.backend === "sqlite"
      ? openSqliteBackend({
          path: location.path,
          display: location.display,
          ...common,
          verifyThreads: options.verifyThreads,
        })
      : await openPostgresBackend({ url: location.url, display: location.display, ...common });
  return createSignalStore(backend, { environment: options.environment, now: options.now });
}

/**
 * Opens the signal store of an environment as the workspace configures it.
 * @throws TroError TRO_ERR_MANIFEST_INVALID (bad setting, exit 78), TRO_ERR_SIGNALS_STORE (unavailable, exit 69)
 */
export async function openSignalStore(options: OpenSignalStoreOptions): Promise<SignalStore> {
  const location = signalStoreLocation(options.workspace, options.environment, options.env);
  return openSignalStoreAt(location, options);
}

export interface OpenSignalRecorderOptions extends OpenSignalStoreOptions {
  /** default: .tradeops/<environment>/signals-spool.jsonl under the workspace root */
  readonly spoolPath?: string;
  readonly spoolMaxRecords?: number;
  /** milliseconds since the epoch, for retry timing */
  readonly clock?: () => number;
}

/**
 * The recorder the runtime appends through: the environment's store, its `required` setting and a spool file.
 * Never throws for an unavailable store: the returned recorder reports it (see SignalRecorder.status()).
 * @throws TroError TRO_ERR_MANIFEST_INVALID when the store setting itself is wrong (exit 78)
 */
export async function openSignalRecorder(options: OpenSignalRecorderOptions): Promise<SignalRecorder> {
  const location = signalStoreLocation(options.workspace, options.environment, options.env);
  const settings = options.workspace.settings[options.environment]!;
  const spool = new SignalSpool({
    path: options.spoolPath ?? join(options.workspace.root, ".tradeops", options.environment, "signals-spool.jsonl"),
    maxRecords: options.spoolMaxRecords,
  });
  const recorder = new SignalRecorder({
    open: () => openSignalStoreAt(location, options),
    disabled: location.backend === "none",
    required: settings.signals.required,
    spool,
    now: options.clock,
  });
  await recorder.start();
  return recorder;
}
