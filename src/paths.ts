/** Where this tradeops package is installed, found from any of its modules (source or bundled). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The directory holding tradeops's package.json; undefined when it cannot be found. */
export function packageRoot(from = fileURLToPath(import.meta.url)): string | undefined {
  if (cached && from === fileURLToPath(import.meta.url)) return cached;
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "tradeops") {
      cached = dir;
      return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The directory with a `tradeops` executable, put first on the PATH of every process tradeops runs. */
export function tradeopsPathDir(): string | undefined {
  const root = packageRoot();
  return root ? join(root, "bin", "path") : undefined;
}
