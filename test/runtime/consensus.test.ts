import { describe, expect, it } from "vitest";
import { isTroError } from "../../src/errors.js";
import { Consensus } from "../../src/runtime/consensus.js";

describe("weighted consensus", () => {
  const options = { weights: { sma_cross: 0.6, momentum: 0.4 }, threshold: 0.5, intervalMs: 5000 };

  it("combines the votes by weight and says why", () => {
    const c = new Consensus(options);
    c.vote("sma_cross", 1);
    c.vote("momentum", 0.5);
    expect(c.peek()).toMatchObject({
      side: "buy",
      strength: 0.8,
      score: 0.8,
      reason: "sma_cross +1.00×0.6, momentum +0.50×0.4 → +0.80",
    });
    // as JSON (a record, a report) too
    expect(JSON.parse(JSON.stringify(c.peek()))).toEqual({
      side: "buy",
      strength: 0.8,
      score: 0.8,
      reason: "sma_cross +1.00×0.6, momentum +0.50×0.4 → +0.80",
    });
    c.vote("momentum", -1);
    expect(c.peek()).toMatchObject({ side: "flat" });
    expect(c.peek().score).toBeCloseTo(0.2, 12);
    c.vote("sma_cross", -2); // clamped to -1
    expect(c.peek()).toMatchObject({ side: "sell", score: -1, strength: 1 });
  });

  it("a result keeps the reason of its own votes, however the votes change after it", () => {
    const c = new Consensus(options);
    c.vote("momentum", -0.6);
    const kept = c.peek();
    c.vote("momentum", 1);
    c.vote("sma_cross", 1);
    expect(kept.reason).toBe("momentum -0.60×0.4 → -0.60");
    expect(JSON.parse(JSON.stringify(c.peek()))).toEqual({
      side: "buy",
      strength: 1,
      score: 1,
      reason: "momentum +1.00×0.4, sma_cross +1.00×0.6 → +1.00",
    });
  });

  it("is evaluated at most once per interval", () => {
    const c = new Consensus(options);
    c.vote("sma_cross", 1);
    expect(c.evaluate(10_000)?.side).toBe("buy");
    expect(c.evaluate(12_000)).toBeUndefined();
    expect(c.evaluate(15_000)?.side).toBe("buy");
  });

  it("only sources with a weight may vote; a source that has not voted does not count", () => {
    const c = new Consensus(options);
    c.vote("momentum", -0.6);
    expect(c.peek()).toMatchObject({ side: "sell", score: -0.6 });
    try {
      c.vote("rsi", 1);
      throw new Error("expected a refusal");
    } catch (error) {
      expect(isTroError(error) && error.message).toBe('Consensus has no weight for source "rsi".');
    }
  });

  it("refuses nonsense settings", () => {
    expect(() => new Consensus({ ...options, threshold: 2 })).toThrow(/threshold in 0..1/);
    expect(() => new Consensus({ ...options, weights: { a: -1 } })).toThrow(/weights ≥ 0/);
  });
});
