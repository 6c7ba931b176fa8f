/** Which `tradeops` entry a strategy gets: the SDK when it imports only the strategy API, the library otherwise. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SDK_NAMES, usesSdkOnly } from "../../src/runtime/strategy-imports.js";
import * as sdk from "../../src/sdk.js";

const ROOT = join(import.meta.dirname, "../..");

describe("usesSdkOnly", () => {
  it("names exactly what src/sdk.ts exports", () => {
    for (const name of Object.keys(sdk)) expect(SDK_NAMES.has(name), name).toBe(true);
    const source = readFileSync(join(ROOT, "src/sdk.ts"), "utf8");
    for (const name of SDK_NAMES) expect(source, name).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it("gives the example strategies the SDK", () => {
    for (const file of ["examples/desk/argo/src/strategy.ts"])
      expect(usesSdkOnly(readFileSync(join(ROOT, file), "utf8")), file).toBe(true);
    expect(usesSdkOnly('import { type Bar, Sma as Average, z } from "tradeops";\nexport default 1;')).toBe(true);
    expect(usesSdkOnly("import type { StrategyContext } from 'tradeops';")).toBe(true);
    expect(usesSdkOnly('import { readFileSync } from "node:fs";')).toBe(true);
  });

  it("gives the full library to anything else", () => {
    for (const source of [
      'import { defineStrategy, openSignalStore } from "tradeops";',
      'import * as t from "tradeops";',
      'import tradeops from "tradeops";',
      'export { Sma } from "tradeops";',
      'const t = await import("tradeops");',
      'const t = require("tradeops");',
      'import "tradeops";',
      'import { defineStrategy } from "tradeops";\nimport { helper } from "./helper.js";',
      'import { defineStrategy } from "tradeops";\nconst h = await import("../shared/h.js");',
    ])
      expect(usesSdkOnly(source), source).toBe(false);
  });
});
