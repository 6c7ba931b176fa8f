/** Sweep grids: the flag's grammar, the expansion into every combination, and overrides on a config copy. */
import { describe, expect, it } from "vitest";
import { applyOverrides, expandGrid, parseSweep } from "../../src/runtime/sweep/grid.js";

describe("--sweep", () => {
  it("reads ranges with and without a step, and lists", () => {
    expect(parseSweep("strategy.fast_window=5..8")).toEqual({ key: "strategy.fast_window", values: [5, 6, 7, 8] });
    expect(parseSweep("strategy.slow_window=20..60:10").values).toEqual([20, 30, 40, 50, 60]);
    expect(parseSweep("consensus.threshold=0.3..0.5:0.1").values).toEqual([0.3, 0.4, 0.5]);
    expect(parseSweep("risk.max_trade_usd=500,1000,500").values).toEqual([500, 1000]);
  });

  it.each([
    ["strategy.fast_window", "not KEY=VALUES"],
    ["strategy.fast_window=9..5", "9 is above 5"],
    ["strategy.fast_window=1..5:0", "the range or its step is not a number"],
    ["strategy.fast_window=a,b", "a value is not a number"],
  ])("%s is refused: %s", (spec, why) => {
    expect(() => parseSweep(spec)).toThrow(
      expect.objectContaining({ code: "TRO_ERR_USAGE", message: `--sweep ${spec}: ${why}.` }),
    );
  });

  it("expands every combination of keys the config holds as numbers, and writes them into a copy", () => {
    const config = { strategy: { fast_window: 10, slow_window: 30, name: "x" } };
    const sets = expandGrid(
      [parseSweep("strategy.fast_window=5..6"), parseSweep("strategy.slow_window=20,30,40")],
      config,
    );
    expect(sets).toHaveLength(6);
    expect(sets[5]).toEqual({ "strategy.fast_window": 6, "strategy.slow_window": 40 });
    expect(applyOverrides(config, sets[5]!)).toEqual({ strategy: { fast_window: 6, slow_window: 40, name: "x" } });
    expect(config.strategy.fast_window).toBe(10);
    expect(() => expandGrid([parseSweep("strategy.fast_windw=5..6")], config)).toThrow(
      "--sweep strategy.fast_windw: the config has no such key.",
    );
    expect(() => expandGrid([parseSweep("strategy.name=1,2")], config)).toThrow('holds "x" there, not a number');
  });
});
