/**
 * The front proxy program tradeops ships: `dist/front-proxy.mjs`, built from main.ts into one file that needs only
 * `node` (no tradeops, no node_modules), so a deploy copies it to any target, SSH hosts included. Its version is its
 * own hash, so a deploy can tell a proxy that runs older code.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TroError } from "../../errors.js";

export interface FrontProxyProgram {
  readonly path: string;
  readonly text: string;
  readonly version: string;
}

let cached: FrontProxyProgram | undefined;

/** Where the built program is: next to the bundle that runs (dist/), or dist/ when running from the sources. */
export function frontProxyPath(): string {
  const url = import.meta.url.endsWith(".ts")
    ? new URL("../../../dist/front-proxy.mjs", import.meta.url)
    : new URL("./front-proxy.mjs", import.meta.url);
  return fileURLToPath(url);
}

/**
 * The program's text and version.
 * @throws TroError TRO_ERR_TARGET_UNAVAILABLE when the installation lacks it (not built)
 */
export function frontProxyProgram(path = frontProxyPath()): FrontProxyProgram {
  if (cached?.path === path) return cached;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new TroError(
      "TRO_ERR_TARGET_UNAVAILABLE",
      `The front proxy program is missing from this installation (${path}).`,
      {
        hint: "Reinstall tradeops, or run `npm run build` in a checkout.",
      },
    );
  }
  cached = { path, text, version: createHash("sha256").update(text).digest("hex").slice(0, 12) };
  return cached;
}
