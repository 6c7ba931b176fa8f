/**
 * Why: both CLI entries (the full one and the hot path) keep validated manifests in the same place: TRADEOPS_CACHE_DIR,
 * else $XDG_CACHE_HOME/tradeops, else ~/.cache/tradeops; TRADEOPS_NO_CACHE=1 turns it off. A snapshot is valid for
 * one build only (the version and the modification time of dist/cli.js, which both entries share).
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { useModuleCache } from "../workspace/module-cache.js";
import { type SnapshotSettings, useManifestSnapshots } from "../workspace/snapshot.js";

/** Where snapshots live for this environment, or undefined when turned off. */
export function snapshotSettings(env: Readonly<Record<string, string | undefined>>, version: string) {
  if (env.TRADEOPS_NO_CACHE === "1") return undefined;
  const base = env.TRADEOPS_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tradeops");
  let built = "";
  try {
    // dist/cli.js for both bundles (hot.js and the chunks sit beside it): one key, or each would discard the other's
    built = String(statSync(fileURLToPath(new URL("./cli.js", import.meta.url))).mtimeMs);
  } catch {
    // not a file: the version alone
  }
  return { dir: join(base, "manifests"), build: `${version}:${built}` } satisfies SnapshotSettings;
}

/** Turns snapshots (and compiled strategy and config-schema modules beside them) on as the environment says. */
export function enableSnapshots(env: Readonly<Record<string, string | undefined>>, version: string): void {
  const settings = snapshotSettings(env, version);
  useManifestSnapshots(settings);
  useModuleCache(settings ? join(dirname(settings.dir), "modules") : undefined);
}
