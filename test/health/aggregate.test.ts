import { describe, expect, it } from "vitest";
import { aggregate, summarize } from "../../src/health/aggregate.js";
import { dependencyOrder } from "../../src/health/order.js";

describe("aggregate", () => {
  it("is unhealthy when there is nothing to report (no vacuous pass)", () => {
    expect(aggregate([])).toBe("unhealthy");
  });
  it("is healthy only when every item is healthy", () => {
    expect(
      aggregate([
        { status: "healthy", critical: true },
        { status: "healthy", critical: false },
      ]),
    ).toBe("healthy");
  });
  it("is unhealthy when a critical item fails, whatever the others say", () => {
    const items = [
      { status: "healthy", critical: true },
      { status: "unhealthy", critical: true },
      { status: "degraded", critical: false },
    ] as const;
    expect(aggregate(items)).toBe("unhealthy");
  });
  it("is degraded when only a non-critical item fails, or any item is degraded", () => {
    expect(
      aggregate([
        { status: "healthy", critical: true },
        { status: "unhealthy", critical: false },
      ]),
    ).toBe("degraded");
    expect(aggregate([{ status: "degraded", critical: true }])).toBe("degraded");
  });
  it("counts healthy and unhealthy; degraded is neither", () => {
    const s = summarize([
      { status: "healthy", critical: true },
      { status: "degraded", critical: false },
      { status: "unhealthy", critical: false },
      { status: "unhealthy", critical: true },
    ]);
    expect(s).toEqual({ total_components: 4, healthy_components: 1, unhealthy_components: 2 });
  });
});

describe("dependencyOrder", () => {
  const node = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });
  it("puts every component after what it depends on, depth first in registration order", () => {
    expect(
      dependencyOrder([node("strategy", "feed", "broker"), node("broker", "secrets"), node("feed"), node("secrets")]),
    ).toEqual(["feed", "secrets", "broker", "strategy"]);
  });
  it("names the cycle", () => {
    expect(() => dependencyOrder([node("a", "b"), node("b", "c"), node("c", "a")])).toThrow(
      "components depend on each other in a cycle: a → b → c → a",
    );
  });
  it("names an unknown dependency", () => {
    expect(() => dependencyOrder([node("feed", "brokr")])).toThrow(
      'component "feed" depends on "brokr", which is not registered',
    );
  });
});
