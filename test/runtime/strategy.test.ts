/** The SDK: defineStrategy, parameters validated from config, loading a project's module, and mode-blindness. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { isTroError } from "../../src/errors.js";
import { SimulatedBroker } from "../../src/runtime/execution/simulated-broker.js";
import { loadStrategy } from "../../src/runtime/load-strategy.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { runPaper } from "../../src/runtime/modes/paper.js";
import { MemorySink } from "../../src/runtime/records.js";
import { defineStrategy, isStrategy, resolveParams, type StrategyContext } from "../../src/runtime/strategy.js";
import { minuteBars } from "./fixtures.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (isTroError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected an error");
}

describe("defineStrategy and parameters", () => {
  it("brands the definition so that a loaded copy of the library still recognizes it", () => {
    const s = defineStrategy({ name: "ok" });
    expect(isStrategy(s)).toBe(true);
    expect(isStrategy({ name: "ok" })).toBe(false);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("refuses a strategy without a usable name", async () => {
    expect(await code(() => defineStrategy({ name: "" }))).toBe(
      "TRO_ERR_STRATEGY_INVALID: defineStrategy needs a name of letters, digits, `.`, `_` or `-`.",
    );
  });

  it("validates parameters against the config and lists every problem with its key", () => {
    const s = defineStrategy({
      name: "p",
      params: z.object({ strategy: z.object({ fast: z.int().min(2), slow: z.int() }) }),
    });
    expect(resolveParams(s, { strategy: { fast: 3, slow: 9 }, other: 1 }, "argo")).toEqual({
      strategy: { fast: 3, slow: 9 },
    });
    try {
      resolveParams(s, { strategy: { fast: 1 } }, "argo in development");
      throw new Error("expected a refusal");
    } catch (error) {
      if (!isTroError(error)) throw error;
      expect(error.message).toBe("The config of argo in development does not give strategy p the parameters it needs.");
      expect(error.problems.map((p) => p.key)).toEqual(["strategy.fast", "strategy.slow"]);
    }
  });
});

describe("loading a project's strategy module", () => {
  const project = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "tradeops-strategy-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };

  it("loads src/strategy.ts written in TypeScript against `tradeops`", async () => {
    const dir = project({
      "src/strategy.ts": `import { defineStrategy, Sma } from "tradeops";\nconst w: number = 3;\nexport default defineStrategy({ name: "from-file", init: () => new Sma(w) });\n`,
    });
    const { strategy, file } = await loadStrategy(dir, dir);
    expect(strategy.name).toBe("from-file");
    expect(file).toBe(join(dir, "src/strategy.ts"));
  });

  it("says what is missing, what failed, or what was exported instead", async () => {
    expect(await code(() => loadStrategy(project({}), "/"))).toMatch(
      /^TRO_ERR_STRATEGY_INVALID: .* has no strategy module\.$/,
    );
    expect(
      await code(() => loadStrategy(project({ "strategy.mjs": "export default { name: 'plain' };\n" }), "/")),
    ).toMatch(/exports no strategy\.$/);
    expect(
      await code(() => loadStrategy(project({ "strategy.mjs": "throw new Error('bad module');\n" }), "/")),
    ).toMatch(/^TRO_ERR_STRATEGY_INVALID: Cannot load the strategy module .*strategy\.mjs: bad module$/);
  });
});

describe("the strategy never learns its mode unless it asks", () => {
  it("sees the same context, bar and answers in backtest and paper; only runtime() differs", async () => {
    const seen: string[][] = [];
    const strategy = defineStrategy({
      name: "blind",
      symbols: ["X"],
      onBar(ctx, bar) {
        seen.push(describeAll(ctx as StrategyContext, bar));
      },
    });
    const series = minuteBars([100, 101, 102]);
    runBacktest({ strategy, params: {}, series });
    const backtest = seen.splice(0);
    const handle = await runPaper({
      strategy,
      params: {},
      symbols: ["X"],
      feed: { kind: "replay", series, speed: Number.POSITIVE_INFINITY, description: "replay" },
      venue: new SimulatedBroker(),
      sink: new MemorySink(),
      environment: "development",
      runId: "r",
    });
    await handle.done;
    expect(seen).toEqual(backtest);
    expect(backtest.flat().join(" ")).not.toMatch(/backtest|paper|simulated|replay/);
    let asked: unknown;
    runBacktest({
      strategy: defineStrategy({
        name: "asks",
        symbols: ["X"],
        onStart: (ctx) => {
          asked = ctx.runtime();
        },
      }),
      params: {},
      series,
    });
    expect(asked).toMatchObject({ mode: "backtest", venue: "simulated" });
  });
});

/** Every value reachable on the context and the bar without calling runtime(). */
function describeAll(ctx: StrategyContext, bar: object): string[] {
  const values: string[] = [];
  const proto = Object.getPrototypeOf(ctx) as object;
  for (const key of [...Object.keys(ctx), ...Object.getOwnPropertyNames(proto)]) {
    if (key === "runtime" || key === "constructor") continue;
    const v = (ctx as unknown as Record<string, unknown>)[key];
    values.push(`${key}=${typeof v === "function" ? "fn" : JSON.stringify(v)}`);
  }
  values.push(JSON.stringify(bar), String(ctx.now()), String(ctx.price("X")), JSON.stringify(ctx.position("X")));
  return values;
}
