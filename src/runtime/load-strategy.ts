/**
 * Finds and loads a project's strategy module: `src/strategy.ts` (or .mts, .js, .mjs; or the same at the
 * project's root), default export made with `defineStrategy`. TypeScript is loaded as it is (jiti), and
 * `import … from "tradeops"` gets this very tradeops, whatever the project has installed.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TroError } from "../errors.js";
import { moduleCacheOption } from "../workspace/module-cache.js";
import { isStrategy, type Strategy } from "./strategy.js";
import { usesSdkOnly } from "./strategy-imports.js";

export const STRATEGY_ENTRIES = [
  "src/strategy.ts",
  "src/strategy.mts",
  "src/strategy.js",
  "src/strategy.mjs",
  "strategy.ts",
  "strategy.mts",
  "strategy.js",
  "strategy.mjs",
];

/** The strategy file of a project directory, or undefined. */
export function findStrategyFile(projectDir: string): string | undefined {
  return STRATEGY_ENTRIES.map((entry) => join(projectDir, entry)).find((path) => existsSync(path));
}

/**
 * Loads the strategy of a project.
 * @throws TroError TRO_ERR_STRATEGY_INVALID when there is no strategy file, it fails to load, or exports none
 */
export async function loadStrategy(projectDir: string, root: string): Promise<{ strategy: Strategy; file: string }> {
  const file = findStrategyFile(projectDir);
  const shown = (path: string) => relative(root, path) || path;
  if (!file) {
    throw new TroError("TRO_ERR_STRATEGY_INVALID", `${shown(projectDir)} has no strategy module.`, {
      hint: `Create ${shown(join(projectDir, "src/strategy.ts"))} exporting defineStrategy({...}) as default.`,
    });
  }
  let mod: Record<string, unknown>;
  try {
    // required, not imported: importing jiti's CommonJS build from ESM first scans its 190 kB for named exports,
    // which took as long again as loading it (every sweep worker loads the strategy)
    const { createJiti } = createRequire(import.meta.url)("jiti") as typeof import("jiti");
    const jiti = createJiti(pathToFileURL(file).href, {
      moduleCache: false,
      fsCache: moduleCacheOption(),
      tryNative: true,
      alias: {
        tradeops: selfEntry(usesSdkOnly(readFileSync(file, "utf8")) ? "sdk" : "index"),
        zod: createRequire(import.meta.url).resolve("zod"),
      },
    });
    mod = (await jiti.import(file)) as Record<string, unknown>;
  } catch (cause) {
    const first = String((cause as Error)?.message ?? cause).split("\n")[0];
    throw new TroError("TRO_ERR_STRATEGY_INVALID", `Cannot load the strategy module ${shown(file)}: ${first}`, {
      cause,
      hint: "Fix the error above; run with --verbose for the stack.",
    });
  }
  const strategy = [mod.default, mod.strategy, ...Object.values(mod)].find(isStrategy);
  if (!strategy) {
    throw new TroError("TRO_ERR_STRATEGY_INVALID", `${shown(file)} exports no strategy.`, {
      hint: "Export defineStrategy({...}) as the default export.",
    });
  }
  return { strategy, file };
}

/** This library's own entry (index, or the strategy SDK): the bundle's file next to this chunk, or src/ from source. */
function selfEntry(entry: "index" | "sdk"): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith(".ts") ? `../${entry}.ts` : `./${entry}.js`, here));
}
