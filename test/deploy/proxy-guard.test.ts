/**
 * The switch guard with an injected clock and reachability: renewals and confirmation keep a switch, expiry returns
 * traffic to the colour it left only while that colour answers, and the state survives a keeper (persist/initial).
 */
import { describe, expect, it } from "vitest";
import { createSwitchGuard, type GuardRecord } from "../../src/deploy/proxy/guard.js";

const blue = { color: "blue" as const, port: 4001, release: "r1" };

function setup(options: { answers?: boolean; initial?: GuardRecord | null } = {}) {
  let clock = 1_000;
  let current = "r2";
  const applied: (typeof blue)[] = [];
  const saved: (GuardRecord | null)[] = [];
  const guard = createSwitchGuard({
    current: () => current,
    applyRoute: async (to) => {
      applied.push(to as typeof blue);
      current = to.release;
    },
    log: () => undefined,
    now: () => clock,
    answers: async () => options.answers ?? true,
    persist: (g) => saved.push(g && { ...g }),
    initial: options.initial,
  });
  return {
    guard,
    applied,
    saved,
    advance: (ms: number) => {
      clock += ms;
    },
    moveTo: (release: string) => {
      current = release;
    },
  };
}

describe("the switch guard", () => {
  it("returns traffic to the colour it left once the lease runs out unrenewed", async () => {
    const t = setup();
    t.guard.set("r2", blue, 60_000);
    t.advance(59_999);
    await t.guard.check();
    expect(t.applied).toEqual([]);
    t.advance(1);
    await t.guard.check();
    expect(t.applied).toEqual([blue]);
    expect(t.guard.status()).toBeNull();
    expect(t.guard.lastRevert()).toContain("returned to r1 (blue): the switch to r2 was not confirmed in time");
    expect(t.saved.at(-1)).toBeNull();
  });

  it("keeps a switch that is renewed, and forgets one that is confirmed", async () => {
    const t = setup();
    t.guard.set("r2", blue, 60_000);
    t.advance(50_000);
    expect(t.guard.renew(60_000)).toBe(true);
    t.advance(50_000);
    await t.guard.check();
    expect(t.applied).toEqual([]);
    expect(t.guard.confirm("r2")).toBe(true);
    t.advance(120_000);
    await t.guard.check();
    expect(t.applied).toEqual([]);
    expect(t.guard.renew(60_000)).toBe(false);
  });

  it("keeps the new colour when the old one does not answer, and says so", async () => {
    const t = setup({ answers: false });
    t.guard.set("r2", blue, 1_000);
    t.advance(1_000);
    await t.guard.check();
    expect(t.applied).toEqual([]);
    expect(t.guard.lastRevert()).toContain("kept r2: its switch was not confirmed, and r1 does not answer");
  });

  it("refuses to confirm a release traffic has left, and leaves a later switch alone", async () => {
    const t = setup();
    t.guard.set("r2", blue, 1_000);
    t.moveTo("r3");
    expect(t.guard.confirm("r2")).toBe(false);
    t.advance(1_000);
    await t.guard.check();
    expect(t.applied).toEqual([]);
  });

  it("takes over the guard a previous keeper persisted", async () => {
    const t = setup({ initial: { release: "r2", fallback: blue, until: 1_500 } });
    expect(t.guard.status()).toMatchObject({ release: "r2", fallback: blue });
    t.advance(500);
    await t.guard.check();
    expect(t.applied).toEqual([blue]);
  });
});
