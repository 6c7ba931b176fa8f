import { describe, expect, it } from "vitest";
import { RealClock, SimulatedClock } from "../../src/runtime/clock.js";

describe("SimulatedClock", () => {
  it("fires a timer at each due time before the event, data first at equal times", () => {
    const clock = new SimulatedClock(0);
    const fired: number[] = [];
    clock.every(60_000, (now) => fired.push(now));
    clock.advanceTo(60_000); // due == event time: not yet
    expect(fired).toEqual([]);
    clock.advanceTo(120_000);
    expect(fired).toEqual([60_000]);
    expect(clock.now()).toBe(120_000);
  });

  it("collapses the firings missed in a gap into one, at the last due time before the next event", () => {
    const clock = new SimulatedClock(0);
    const fired: number[] = [];
    clock.every(60_000, (now) => fired.push(now));
    clock.advanceTo(30 * 60_000);
    expect(fired).toEqual([60_000, 29 * 60_000]);
    clock.advanceTo(31 * 60_000); // the due time equal to the last event fires after it
    expect(fired).toEqual([60_000, 29 * 60_000, 30 * 60_000]);
    clock.advanceTo(34 * 60_000);
    expect(fired).toEqual([60_000, 29 * 60_000, 30 * 60_000, 31 * 60_000, 33 * 60_000]);
  });

  it("cancels timers and never moves backwards", () => {
    const clock = new SimulatedClock(1000);
    const cancel = clock.every(10, () => {
      throw new Error("cancelled timers never fire");
    });
    cancel();
    clock.advanceTo(5000);
    clock.advanceTo(2000);
    expect(clock.now()).toBe(5000);
    expect(clock.nextDue).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("RealClock", () => {
  it("uses the injected wall clock and timers", () => {
    const handles: (() => void)[] = [];
    let cleared = 0;
    const clock = new RealClock({
      now: () => 42,
      setInterval: (fn) => handles.push(fn),
      clearInterval: () => cleared++,
    });
    const seen: number[] = [];
    const cancel = clock.every(1000, (now) => seen.push(now));
    handles[0]!();
    cancel();
    expect(seen).toEqual([42]);
    expect(cleared).toBe(1);
    clock.advanceTo(1e12);
    expect(clock.now()).toBe(42);
  });
});
