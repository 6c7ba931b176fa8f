/**
 * Why: reading tradeops.yaml costs a YAML parse and a schema validation on every command (≈ 35 ms of `tradeops
 * env`'s start). A validated workspace is kept as JSON keyed by the manifest's path, mtime, ctime and size, the
 * build of tradeops, and what every path the rules looked at was; a command whose manifest has not changed loads it
 * without the parser and the validator. Off unless the CLI (or a caller) turns it on; failures only cost speed.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Workspace } from "./types.js";

export type PathKind = "file" | "dir" | "none";

export interface SnapshotSettings {
  /** the directory snapshots live in (one JSON file per manifest path) */
  readonly dir: string;
  /** what identifies this build of tradeops: a snapshot from another build is ignored */
  readonly build: string;
}

/** raise when the snapshot's shape changes */
const FORMAT = 1;
/** snapshots kept; the oldest half goes when there are more (temporary workspaces of tests and scripts) */
const KEEP = 256;

let settings: SnapshotSettings | undefined;

/** Turns manifest snapshots on (or off with undefined) for this process. */
export function useManifestSnapshots(next: SnapshotSettings | undefined): void {
  settings = next;
}

/** What a path is now. */
export function pathKind(path: string): PathKind {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return "none";
  }
}

interface Snapshot {
  readonly format: number;
  readonly build: string;
  readonly path: string;
  readonly stamp: string;
  readonly paths: readonly (readonly [string, PathKind])[];
  readonly workspace: Omit<Workspace, "locate">;
}

const stampOf = (stat: Stats) => `${stat.mtimeMs}:${stat.ctimeMs}:${stat.size}:${stat.ino}`;
/** A file name per manifest path: two FNV-1a hashes (node:crypto alone would cost more to load than the rest);
 * the snapshot names its path too, so a collision only costs a miss. */
function fileFor(dir: string, manifestPath: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < manifestPath.length; i++) {
    const c = manifestPath.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return join(dir, `${a.toString(16).padStart(8, "0")}${b.toString(16).padStart(8, "0")}.json`);
}

/** The validated workspace of an unchanged manifest (without `locate`, which the caller supplies), if kept. */
export function readSnapshot(manifestPath: string, stat: Stats): Omit<Workspace, "locate"> | undefined {
  if (!settings) return undefined;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(fileFor(settings.dir, manifestPath), "utf8")) as Snapshot;
  } catch {
    return undefined;
  }
  if (snapshot.format !== FORMAT || snapshot.build !== settings.build || snapshot.path !== manifestPath)
    return undefined;
  if (snapshot.stamp !== stampOf(stat)) return undefined;
  for (const [path, kind] of snapshot.paths) if (pathKind(path) !== kind) return undefined;
  return snapshot.workspace;
}

/** Keeps a freshly validated workspace; never fails the command (a read-only cache only costs speed). */
export function writeSnapshot(
  manifestPath: string,
  stat: Stats,
  workspace: Workspace,
  paths: ReadonlyMap<string, PathKind>,
): void {
  if (!settings) return;
  const { locate: _, ...rest } = workspace;
  const snapshot: Snapshot = {
    format: FORMAT,
    build: settings.build,
    path: manifestPath,
    stamp: stampOf(stat),
    paths: [...paths],
    workspace: rest,
  };
  try {
    mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
    const file = fileFor(settings.dir, manifestPath);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(tmp, file);
    prune(settings.dir);
  } catch {
    // no cache this time
  }
}

function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  if (names.length <= KEEP) return;
  const aged = names.map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - KEEP / 2)) rmSync(join(dir, n), { force: true });
}
