/**
 * Why: both CLI entries (the full one and the hot path) keep validated manifests in the same place: TRADEOPS_CACHE_DIR,
 * else $XDG_CACHE_HOME/tradeops, else ~/.cache/tradeops; TRADEOPS_NO_CACHE=1 turns it off. A snapshot is valid for
 * one build only (this bundle's version and modification time).
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SnapshotSettings, useManifestSnapshots } from "../workspace/snapshot.js";

/** Where snapshots live for this environment, or undefined when turned off. */
export function snapshotSettings(env: Readonly<Record<string, string | undefined>>, version: string) {
  if (env.TRADEOPS_NO_CACHE === "1") return undefined;
  const base = env.TRADEOPS_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tradeops");
  let built = "";
  try {
    built = String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    // not a file: the version alone
  }
  return { dir: join(base, "manifests"), build: `${version}:${built}` } satisfies SnapshotSettings;
}

/** Turns snapshots on for this process as the environment says. */
export function enableSnapshots(env: Readonly<Record<string, string | undefined>>, version: string): void {
  useManifestSnapshots(snapshotSettings(env, version));
}
