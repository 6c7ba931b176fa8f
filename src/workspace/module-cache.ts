/**
 * Why: a TypeScript strategy or config schema is compiled by jiti (Babel) on every start, the largest part of a
 * trading node's start. With the CLI's cache on (the directory the manifest snapshots use, TRADEOPS_NO_CACHE=1 turns
 * both off) jiti keeps each compiled module keyed by its path and a hash of its source, so a file is compiled once
 * per version; a changed file misses and is compiled again. Failures to write only cost speed.
 */
import { mkdirSync } from "node:fs";

let dir: string | undefined;

/** Turns the compiled-module cache on in `next` (or off with undefined) for this process. */
export function useModuleCache(next: string | undefined): void {
  dir = next;
}

/** jiti's `fsCache` option: the cache directory, or false when the cache is off or cannot be created. */
export function moduleCacheOption(): string | false {
  if (!dir) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return false;
  }
}
