/** The slot rules every deploy, rollback and recovery decides through (slots.ts): pure, no target needed. */
import { describe, expect, it } from "vitest";
import {
  deploySlots,
  inProgressSlots,
  nextColor,
  recordedSlot,
  returnOutcome,
  returnSlot,
} from "../../src/deploy/slots.js";

const target = { internalPorts: [8202, 8203] as const };
const portless = { internalPorts: [0, 0] as const };

describe("slots", () => {
  it("a new release takes the colour that does not serve, blue on a first deploy", () => {
    expect(nextColor(undefined)).toBe("blue");
    expect(nextColor("blue")).toBe("green");
    expect(deploySlots(target, "R2", { color: "green", release: "R1", port: 8203 })).toEqual({
      from: { color: "green", release: "R1", port: 8203 },
      to: { color: "blue", release: "R2", port: 8202 },
    });
    expect(deploySlots(target, "R1", undefined)).toEqual({ to: { color: "blue", release: "R1", port: 8202 } });
    expect(deploySlots(portless, "R2", { color: "blue", release: "R1", port: 0 }).to).toEqual({
      color: "green",
      release: "R2",
      port: 0,
    });
  });

  it("what the records say serves, and what an interrupted deploy recorded", () => {
    expect(recordedSlot({ colors: {} })).toBeUndefined();
    expect(
      recordedSlot({ active: "green", colors: { green: { release: "R1", port: 8203, startedAt: "", orders: true } } }),
    ).toEqual({ color: "green", release: "R1", port: 8203 });
    const died = { color: "green" as const, release: "R2", previousActive: "blue" as const, previousRelease: "R1" };
    expect(inProgressSlots(target, died)).toEqual({
      from: { color: "blue", release: "R1", port: 8202 },
      to: { color: "green", release: "R2", port: 8203 },
    });
    expect(inProgressSlots(target, { color: "blue", release: "R1" })).toEqual({
      to: { color: "blue", release: "R1", port: 8202 },
    });
  });

  it("a return runs in its own colour unless that is the colour being left", () => {
    const from = { color: "blue" as const, release: "R2", port: 8202 };
    expect(returnSlot(target, from, { color: "green", release: "R1", port: 8203 })).toEqual({
      color: "green",
      release: "R1",
      port: 8203,
    });
    expect(returnSlot(target, from, { color: "blue", release: "R1", port: 8202 })).toEqual({
      color: "green",
      release: "R1",
      port: 8203,
    });
  });

  it("a return is warm only when the release still runs in its own colour, and never for a portless order sender", () => {
    const from = { color: "green" as const, release: "R2", port: 8203 };
    const to = { color: "blue" as const, release: "R1", port: 8202 };
    expect(returnOutcome(target, false, from, to, "R1")).toEqual({ warm: true, slot: to });
    expect(returnOutcome(target, true, from, to, "R1")).toEqual({ warm: true, slot: to });
    expect(returnOutcome(target, false, from, to, "R0")).toEqual({ warm: false, slot: to });
    expect(returnOutcome(target, false, from, { ...to, color: "green", port: 8203 }, "R1")).toEqual({
      warm: false,
      slot: to,
    });
    const worker = { ...portless, style: "worker" as const };
    const p = { from: { ...from, port: 0 }, to: { ...to, port: 0 } };
    expect(returnOutcome(worker, false, p.from, p.to, "R1")).toEqual({ warm: true, slot: p.to });
    expect(returnOutcome(worker, true, p.from, p.to, "R1")).toEqual({ warm: false, slot: p.to });
    expect(returnOutcome({ ...portless, style: "static" }, false, p.from, p.to, undefined)).toEqual({
      warm: true,
      slot: p.to,
    });
  });
});
