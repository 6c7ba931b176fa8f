import { describe, expect, it } from "vitest";
import { Liveness } from "../../src/health/liveness.js";
import { createSystemMonitor, nodeSystemProbe } from "../../src/health/system-monitor.js";
import { manualClock } from "./clock.js";

describe("system monitor", () => {
  it("computes CPU from the difference between samples, memory from total and available", () => {
    let cpu = { idle: 1000, total: 2000 };
    const probe = {
      cpuTimes: () => cpu,
      memory: () => ({ total: 16 * 2 ** 30, available: 4 * 2 ** 30 }),
      heap: () => ({ used: 50, limit: 100 }),
      loopDelay: () => 3.456,
    };
    const clock = manualClock();
    const system = createSystemMonitor({ probe, clock });
    expect(system.snapshot()).toBeUndefined();
    expect(system.sample()).toMatchObject({
      cpuPercent: 50,
      memoryPercent: 75,
      memoryAvailableGb: 4,
      loopDelayP99Ms: 3.46,
    });
    cpu = { idle: 1100, total: 2400 }; // 300 of 400 busy since the last sample
    clock.advance(1000);
    expect(system.sample()).toMatchObject({ cpuPercent: 75, at: clock.now() });
  });

  it("samples the real machine in the background without keeping the process alive", () => {
    const system = createSystemMonitor({ probe: nodeSystemProbe(), intervalMs: 50 });
    system.start();
    try {
      const s = system.snapshot()!;
      expect(s.memoryPercent).toBeGreaterThan(0);
      expect(s.memoryPercent).toBeLessThanOrEqual(100);
      expect(s.memoryAvailableGb).toBeGreaterThan(0);
      expect(s.heapLimitBytes).toBeGreaterThan(s.heapUsedBytes);
    } finally {
      system.stop();
    }
  });
});

describe("liveness", () => {
  it("stays alive for external trouble and fails only for in-process facts", () => {
    const clock = manualClock();
    const live = new Liveness(clock);
    expect(live.verdict()).toEqual({ alive: true, code: null });
    live.armHeartbeat(1000);
    clock.advance(60_000);
    expect(live.verdict().alive).toBe(true);
    clock.advance(1);
    expect(live.verdict()).toEqual({ alive: false, code: "LOOP_STALLED" });
    live.beat();
    expect(live.verdict().alive).toBe(true);
    live.markBroken("positions ledger corrupted at /srv/x");
    expect(live.verdict()).toEqual({ alive: false, code: "BROKEN" });
  });
});
