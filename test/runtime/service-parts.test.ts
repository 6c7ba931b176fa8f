/** The pieces a strategy service is built from: the equity curve, records into the signal log, the kill-switch file. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { controlFilePath, readControl, watchControl, writeControl } from "../../src/runtime/control-file.js";
import { EquityCurve } from "../../src/runtime/equity-curve.js";
import { RecorderSink, storeKind } from "../../src/runtime/recorder-sink.js";
import type { RuntimeRecord } from "../../src/runtime/records.js";
import type { SignalInput } from "../../src/signals/types.js";
import { minuteBars } from "./fixtures.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("EquityCurve", () => {
  it("references a series' times, stores a feed's, and puts them together in order", () => {
    const series = minuteBars([1, 2, 3, 4]);
    const curve = new EquityCurve(2);
    curve.reserve(4);
    curve.noteSeries(series, 0, 2);
    curve.noteSeries(series, 2, 4);
    for (let i = 0; i < 40; i++) curve.noteTime(1e12 + i); // grows its own array on the way
    expect(curve.count).toBe(44);
    const times = curve.times();
    expect([...times.subarray(0, 4)]).toEqual([...series.time]);
    expect(times[43]).toBe(1e12 + 39);
    expect(times[4]).toBe(1e12);
  });
});

describe("records into the signal log", () => {
  const record = (kind: RuntimeRecord["kind"], payload: Record<string, unknown>): RuntimeRecord => ({
    seq: 7,
    time: Date.UTC(2008, 9, 10),
    kind,
    strategy: "argo",
    symbol: "SPY",
    payload,
  });

  it("maps every kind onto the store's kinds; errors stay in the log file", () => {
    expect(storeKind(record("signal", {}))).toBe("signal");
    expect(storeKind(record("order", {}))).toBe("order_decision");
    expect(storeKind(record("fill", {}))).toBe("order_decision");
    expect(storeKind(record("canceled", {}))).toBe("order_decision");
    expect(storeKind(record("rejected", { rule: "max_trade_usd" }))).toBe("risk_rejection");
    expect(storeKind(record("state", { to: "halted" }))).toBe("halt");
    expect(storeKind(record("state", { to: "active" }))).toBe("resume");
    expect(storeKind(record("state", { paused: true }))).toBe("halt");
    expect(storeKind(record("state", { paused: false }))).toBe("resume");
    expect(storeKind(record("error", { message: "x" }))).toBeUndefined();
  });

  it("batches per event-loop turn, stamps wall time, keeps the kernel's time and turns NaN into null", async () => {
    const batches: SignalInput[][] = [];
    const sink = new RecorderSink(
      { record: async (inputs) => void batches.push([...inputs]) },
      { project: "argo", strategy: "argo", mode: "paper", configHash: "abc", now: () => Date.UTC(2026, 0, 1) },
    );
    sink.append(record("signal", { side: "buy", strength: 1, reason: "r" }));
    sink.append(record("rejected", { order: { qty: Number.NaN }, rule: "invalid", reason: "quantity NaN" }));
    sink.append(record("error", { message: "not recorded" }));
    await sink.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((i) => i.kind)).toEqual(["signal", "risk_rejection"]);
    expect(batches[0]![1]).toMatchObject({
      project: "argo",
      strategy: "argo",
      configHash: "abc",
      time: new Date(Date.UTC(2026, 0, 1)),
      payload: {
        event: "rejected",
        mode: "paper",
        seq: 7,
        clockTime: "2008-10-10T00:00:00.000Z",
        symbol: "SPY",
        order: { qty: null },
      },
    });
  });
});

describe("the kill-switch file", () => {
  it("is written atomically and read back; a broken file neither halts nor resumes", () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-control-"));
    dirs.push(root);
    const path = controlFilePath(root, "argo");
    expect(readControl(path)).toBeUndefined();
    writeControl(path, { state: "halted", reason: "outage", at: "2026-01-01T00:00:00Z", by: "cli:me" });
    expect(readControl(path)).toEqual({ state: "halted", reason: "outage", at: "2026-01-01T00:00:00Z", by: "cli:me" });
    writeFileSync(path, "{ not json");
    expect(readControl(path)).toBeUndefined();
  });

  it("is applied at once and on every change, with injected polling", () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-control-"));
    dirs.push(root);
    const path = controlFilePath(root, "argo");
    writeControl(path, { state: "halted", reason: "a", at: "1", by: "cli" });
    const seen: string[] = [];
    let tick: () => void = () => {};
    const watcher = watchControl(path, (c) => seen.push(`${c.state}:${c.reason}`), {
      setInterval: ((fn: () => void) => {
        tick = fn;
        return 0;
      }) as unknown as typeof setInterval,
      clearInterval: (() => {}) as unknown as typeof clearInterval,
    });
    tick();
    writeControl(path, { state: "active", reason: "b", at: "2", by: "cli" });
    tick();
    tick();
    watcher.stop();
    expect(seen).toEqual(["halted:a", "active:b"]);
  });
});
