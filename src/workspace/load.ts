/**
 * Finding, reading and validating `tradeops.yaml`: schema → normalize → rules, every problem at once (validate.ts);
 * an unchanged manifest comes from its snapshot (snapshot.ts) without the YAML parser and the validator.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { TroError } from "../errors.js";
import { readTextFile, TEXT_FILE_LIMIT_BYTES as TEXT_FILE_LIMIT } from "../validation/read-file.js";
import { type PathKind, readSnapshot, writeSnapshot } from "./snapshot.js";
import type { Workspace } from "./types.js";
import { manifestLocator, validateManifest } from "./validate.js";

export { type ManifestValidation, validateManifest } from "./validate.js";

export const MANIFEST_NAMES = ["tradeops.yaml", "tradeops.yml"] as const;

export interface LoadWorkspaceOptions {
  /** where the upward search starts (default: process.cwd()) */
  readonly cwd?: string;
  /** `--workspace DIR`: the directory holding tradeops.yaml, or the manifest file itself */
  readonly workspace?: string;
}

/**
 * Finds the manifest: at `--workspace` when given, otherwise in the current directory or the nearest parent.
 * @throws TroError TRO_ERR_WORKSPACE_NOT_FOUND
 */
export function findManifest(options: LoadWorkspaceOptions = {}): string {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.workspace !== undefined) {
    const given = resolve(cwd, options.workspace);
    if (existsSync(given) && statSync(given).isFile()) return given;
    const found = MANIFEST_NAMES.map((n) => join(given, n)).find((p) => existsSync(p));
    if (found) return found;
    throw new TroError(
      "TRO_ERR_WORKSPACE_NOT_FOUND",
      `--workspace ${options.workspace}: no tradeops.yaml in ${given}.`,
      {
        hint: "Point --workspace at the directory that holds tradeops.yaml.",
      },
    );
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    const found = MANIFEST_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
    if (found) return found;
    if (dirname(dir) === dir) break;
  }
  throw new TroError("TRO_ERR_WORKSPACE_NOT_FOUND", `No tradeops.yaml in ${cwd} or any parent directory.`, {
    hint: "Run the command inside a workspace, or pass --workspace DIR.",
  });
}

/**
 * Loads and validates the workspace manifest.
 * @throws TroError TRO_ERR_WORKSPACE_NOT_FOUND, TRO_ERR_MANIFEST_INVALID (with every problem found)
 */
export function loadWorkspace(options: LoadWorkspaceOptions = {}): Workspace {
  const manifestPath = findManifest(options);
  const stat = statSync(manifestPath);
  // a FIFO, a device or an oversized file is refused before anything reads it
  if (!stat.isFile() || stat.size > TEXT_FILE_LIMIT) readManifest(manifestPath);
  const kept = readSnapshot(manifestPath, stat);
  if (kept) {
    // positions are needed only to point at a key in a later message: the YAML is parsed then, once
    let locator: Workspace["locate"] | undefined;
    const locate: Workspace["locate"] = (path) => {
      locator ??= manifestLocator(readManifest(manifestPath), manifestPath);
      return locator(path);
    };
    return { ...kept, locate };
  }
  const seen = new Map<string, PathKind>();
  const result = validateManifest(readManifest(manifestPath), manifestPath, seen);
  if (!result.value) {
    const count = result.errors.length;
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `${relativeName(manifestPath)} is invalid: ${count} problem${count === 1 ? "" : "s"}.`,
      {
        problems: result.errors,
        // keys are checked once the file parses: a syntax error needs its line fixed, not the schema
        hint: result.errors.every((p) => p.message.startsWith("YAML syntax error"))
          ? "Fix the YAML at the line named above; the keys are checked once it parses."
          : "Fix the keys named above; the JSON Schema is schema/tradeops.schema.json.",
      },
    );
  }
  writeSnapshot(manifestPath, stat, result.value, seen);
  return result.value;
}

function relativeName(manifestPath: string): string {
  return manifestPath.split(/[\\/]/).pop() ?? manifestPath;
}

/** Resolves a manifest path relative to the workspace root (absolute paths stay as they are). */
export function workspacePath(workspace: Workspace, path: string): string {
  return isAbsolute(path) ? path : resolve(workspace.root, path);
}

/**
 * The manifest's text, read only from a regular file within the size limit.
 * @throws TroError TRO_ERR_MANIFEST_INVALID naming what is there instead (a FIFO, a directory, too large)
 */
function readManifest(manifestPath: string): string {
  const read = readTextFile(manifestPath);
  if (read.ok) return read.text;
  const file = relativeName(manifestPath);
  throw new TroError("TRO_ERR_MANIFEST_INVALID", `${file} ${read.reason}.`, {
    problems: [{ file, message: `the manifest ${read.reason}` }],
    hint: "Replace it with the workspace's tradeops.yaml (a regular file).",
  });
}
