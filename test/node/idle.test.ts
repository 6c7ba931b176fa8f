/**
 * The development idle pause, with an injected wall clock, monotonic clock, process list and file times:
 * sleep is detected from the wall clock jumping ahead of the monotonic one, idleness from a named process not
 * running or a heartbeat file too old; the pause lifts by itself, and a running service logs both.
 */
import { describe, expect, it } from "vitest";
import { createStrategyService } from "../../src/node/service.js";
import { SimulatedBroker } from "../../src/runtime/execution/simulated-broker.js";
import { IdleMonitor, type IdleProbe, SLEEP_PAUSE_MS } from "../../src/runtime/idle.js";
import type { RunPlan } from "../../src/runtime/plan.js";
import { MemorySink } from "../../src/runtime/records.js";
import { riskSettings } from "../../src/runtime/risk/settings.js";
import type { PreparedProject } from "../../src/runtime/runner.js";
import { defineStrategy } from "../../src/runtime/strategy.js";
import type { Bar } from "../../src/runtime/types.js";

class FakeMachine implements IdleProbe {
  wall = Date.UTC(2024, 0, 2, 9, 0);
  mono = 1_000;
  running = ["bash", "Code", "node"];
  files = new Map<string, number>();
  wallNow = () => this.wall;
  monoNow = () => this.mono;
  processes = async () => this.running;
  mtime = async (path: string) => this.files.get(path);
  /** time passes with the machine awake */
  awake(ms: number) {
    this.wall += ms;
    this.mono += ms;
  }
  /** the lid closes: the wall clock moves, the monotonic clock does not */
  sleep(ms: number) {
    this.wall += ms;
  }
}

describe("IdleMonitor", () => {
  it("detects sleep from the clocks and resumes by itself after the grace period", async () => {
    const m = new FakeMachine();
    const idle = new IdleMonitor({ processes: [] }, m);
    expect(await idle.check()).toBe("");
    m.awake(5_000);
    expect(await idle.check()).toBe("");
    m.sleep(10 * 60_000);
    m.awake(5_000);
    expect(await idle.check()).toBe("the machine slept for about 600s");
    m.awake(SLEEP_PAUSE_MS - 10_000);
    expect(await idle.check()).toBe("the machine slept for about 600s");
    m.awake(10_000);
    expect(await idle.check()).toBe("");
  });

  it("a small drift between the clocks is not sleep", async () => {
    const m = new FakeMachine();
    const idle = new IdleMonitor({ processes: [] }, m);
    m.awake(5_000);
    m.sleep(2_000); // NTP step, a slow check
    expect(await idle.check()).toBe("");
  });

  it("is idle while none of the named processes runs (names compared case-insensitively)", async () => {
    const m = new FakeMachine();
    const idle = new IdleMonitor({ processes: ["cursor", "code"] }, m);
    expect(await idle.check()).toBe("");
    m.running = ["bash", "node"];
    expect(await idle.check()).toBe("none of cursor, code is running");
    m.running = ["cursor"];
    expect(await idle.check()).toBe("");
  });

  it("is idle while the heartbeat file is missing or older than its limit", async () => {
    const m = new FakeMachine();
    const idle = new IdleMonitor({ processes: [], heartbeatFile: "/tmp/hb", heartbeatMaxAgeMs: 30 * 60_000 }, m);
    expect(await idle.check()).toBe("heartbeat file /tmp/hb does not exist");
    m.files.set("/tmp/hb", m.wall - 31 * 60_000);
    expect(await idle.check()).toBe("heartbeat file /tmp/hb is 31 min old (limit 30 min)");
    m.files.set("/tmp/hb", m.wall - 60_000);
    expect(await idle.check()).toBe("");
  });
});

describe("a strategy service with the idle pause", () => {
  it("pauses auto-execution while idle, records and logs it, and resumes when the process is back", async () => {
    const machine = new FakeMachine();
    machine.running = ["bash"];
    const timers: (() => void)[] = [];
    const logs: string[] = [];
    const feed = new BarQueue();
    const sink = new MemorySink();
    const strategy = defineStrategy({
      name: "idle-test",
      symbols: ["X"],
      onBar: (ctx, bar) => void ctx.buy(bar.symbol, 1),
    });
    const service = createStrategyService({
      prepared: prepared(strategy),
      plan: { mode: "paper", autoExecute: true } as RunPlan,
      root: "/nonexistent-workspace",
      venue: new SimulatedBroker(),
      feed: { kind: "live", bars: feed, clock: "bars", description: "test feed" },
      sink,
      runId: "idle",
      log: { info: (_o, m) => logs.push(`info ${m}`), warn: (_o, m) => logs.push(`warn ${m}`), error: () => {} },
      signal: new AbortController().signal,
      idleProbe: machine,
      timers: { setInterval: ((fn: () => void) => timers.push(fn)) as never, clearInterval: (() => {}) as never },
    });
    await service.start();
    await feed.push(bar(0));
    await feed.push(bar(1));
    machine.running = ["bash", "cursor"];
    timers[0]!(); // the idle check that runs every few seconds
    await until(() => service.kernel!.risk.paused === "");
    await feed.push(bar(2));
    feed.end();
    await service.done;

    const kinds = sink.records.map((r) => `${r.kind}${r.kind === "rejected" ? `:${r.payload.rule}` : ""}`);
    expect(kinds).toEqual(["state", "rejected:paused", "rejected:paused", "state", "order"]);
    expect(sink.records[0]!.payload).toEqual({ paused: true, reason: "none of cursor, code is running" });
    expect(logs).toContain("warn auto-execution paused (development idle)");
    expect(logs).toContain("info auto-execution resumed: the machine is awake and in use again");
  });
});

function bar(i: number): Bar {
  const time = Date.UTC(2024, 0, 2, 14, 30 + i);
  return { symbol: "X", time, open: 100, high: 100, low: 100, close: 100, volume: 1000 };
}

/** A feed the test pushes bars into; `push` resolves once the kernel has taken the bar. */
class BarQueue implements AsyncIterable<Bar> {
  #waiting: ((r: IteratorResult<Bar>) => void) | undefined;
  #taken: (() => void) | undefined;
  #ended = false;

  push(value: Bar): Promise<void> {
    return new Promise((resolve) => {
      const deliver = () => {
        this.#taken = resolve;
        const w = this.#waiting!;
        this.#waiting = undefined;
        w({ value, done: false });
      };
      if (this.#waiting) deliver();
      else this.#pending = deliver;
    });
  }
  #pending: (() => void) | undefined;

  end(): void {
    this.#ended = true;
    this.#waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Bar> {
    return {
      next: () =>
        new Promise<IteratorResult<Bar>>((resolve) => {
          this.#taken?.();
          this.#taken = undefined;
          if (this.#ended) return resolve({ value: undefined, done: true });
          this.#waiting = resolve;
          const p = this.#pending;
          this.#pending = undefined;
          p?.();
        }),
    };
  }
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setImmediate(r));
  }
}

function prepared(strategy: object): PreparedProject {
  return {
    project: { name: "idle-test", accounts: {} },
    environment: "development",
    envSettings: { idle: { processes: ["cursor", "code"] } },
    strategy,
    params: {},
    symbols: ["X"],
    settings: { risk: riskSettings(), initialCash: 100_000, timeframe: "1Min" },
  } as unknown as PreparedProject;
}
