/**
 * The seed's backoff, end to end through the supervisor with time injected: a crash and failed health checks
 * restart after 5, 10 and 20 s, then the instance is failed — the same sequence and give-up for both causes,
 * shown in `status`. No real waiting: the clock and the processes are test doubles, the rest is the real code.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/supervisor/clock.js";
import type { HealthProbe } from "../../src/supervisor/health-probe.js";
import type { ExitInfo, ProcessHandle, Spawner } from "../../src/supervisor/spawn.js";
import { Supervisor } from "../../src/supervisor/supervisor.js";
import type { InstanceStatus } from "../../src/supervisor/types.js";
import { makeWorkspace, waitFor } from "./helpers.js";

/** A clock whose timers fire only when the test moves time forward. */
class TestClock implements Clock {
  t = Date.parse("2026-12-04T15:00:00Z");
  #timers: { at: number; fn: () => void; seq: number }[] = [];
  #seq = 0;
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const timer = { at: this.t + ms, fn, seq: this.#seq++ };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== timer);
    };
  };
  /** Moves time forward by `ms`, firing due timers in order and letting their work settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.#timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await new Promise((r) => setTimeout(r, 5));
    }
    this.t = end;
  }
}

/** Processes that exist only in the test: they end when the test (or a SIGTERM) says so. */
class TestSpawner implements Spawner {
  readonly handles: (ProcessHandle & { exit(info: Partial<ExitInfo>): void })[] = [];
  async spawn(): Promise<ProcessHandle> {
    let done = false;
    let resolve!: (info: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (resolve = r));
    const exit = (info: Partial<ExitInfo>) => {
      if (done) return;
      done = true;
      resolve({ code: null, signal: null, unobserved: false, ...info });
    };
    const handle = {
      pid: 90_000_000 + this.handles.length,
      startTime: undefined,
      adopted: false,
      exited,
      hasExited: () => done,
      signal: (sig: NodeJS.Signals) => sig !== "SIGCONT" && exit({ signal: sig }),
      release: () => undefined,
      exit,
    };
    this.handles.push(handle);
    return handle;
  }
  adopt(): undefined {
    return undefined;
  }
}

const dirs: string[] = [];
const open: Supervisor[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close({ stopServices: false });
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function supervised(port?: number) {
  const dir = makeWorkspace({
    bot: {
      start: "python3 bot.py",
      ...(port ? { port } : {}),
      health: { intervalSeconds: 1, timeoutSeconds: 0.5, failuresBeforeRestart: 2, backoffSeconds: [5, 10, 20] },
    },
  });
  dirs.push(dir);
  const clock = new TestClock();
  const spawner = new TestSpawner();
  let answer: "healthy" | "unhealthy" = "healthy";
  const probe: HealthProbe = async () => ({ status: answer, ms: 1 });
  const supervisor = new Supervisor({
    workspaceRoot: dir,
    environment: "development",
    stateDir: join(dir, ".tradeops/development/supervisor"),
    env: { PATH: process.env.PATH },
    spawner,
    probe,
    clock,
  });
  open.push(supervisor);
  await supervisor.open();
  const bot = () => supervisor.status().instances[0] as InstanceStatus;
  const setAnswer = (a: typeof answer) => (answer = a);
  return { supervisor, clock, spawner, bot, setAnswer };
}

/** Drives one failure after another until the instance is failed; returns each backoff as status showed it. */
async function failRepeatedly(
  s: Awaited<ReturnType<typeof supervised>>,
  fail: () => Promise<void>,
): Promise<(number | "failed")[]> {
  const seen: (number | "failed")[] = [];
  for (let round = 0; round < 5; round++) {
    await s.clock.advance(1_000); // the run settles (no port) or answers its first probe
    await waitFor("running", () => s.bot().state === "running");
    const before = s.clock.now();
    await fail();
    const after = await waitFor("backoff or failed", () =>
      ["backoff", "failed"].includes(s.bot().state) ? s.bot() : undefined,
    );
    if (after.state === "failed") {
      seen.push("failed");
      return seen;
    }
    const delayMs = after.restartPolicy.nextDelaySeconds! * 1000;
    const entered = Date.parse(after.recent.findLast((c) => c.to === "backoff")!.at);
    expect(Date.parse(after.nextStartAt!)).toBe(entered + delayMs);
    seen.push(after.restartPolicy.nextDelaySeconds!);
    // nothing starts before the delay is up; it starts when it is
    await s.clock.advance(entered + delayMs - 1 - s.clock.now());
    expect(s.bot().state).toBe("backoff");
    await s.clock.advance(1);
    await waitFor("started again", () => s.spawner.handles.length === round + 2);
    expect(s.clock.now() - before).toBeGreaterThanOrEqual(delayMs);
  }
  return seen;
}

describe("restart backoff (seed: 5, 10, 20 s, then failed)", () => {
  it("a crashing service restarts at once (SPEC §11), then waits 5, 10, 20 s, then is failed", async () => {
    const s = await supervised();
    await s.supervisor.start({ project: "bot", orders: true }, { PATH: process.env.PATH });
    expect(s.bot().restartPolicy).toEqual({ backoffSeconds: [5, 10, 20], maxRestarts: 3, nextDelaySeconds: 5 });
    const seen = await failRepeatedly(s, async () => s.spawner.handles.at(-1)!.exit({ code: 1 }));
    expect(seen).toEqual([0, 5, 10, 20, "failed"]);
    expect(s.bot()).toMatchObject({
      restarts: 4,
      lastFailure: { reason: "exited with code 1; gave up after 4 restarts in a row" },
    });
    expect(s.bot().restartPolicy.nextDelaySeconds).toBeNull();
  });

  it("a service failing its health checks waits 5, 10, 20 s as well, then is failed", async () => {
    const s = await supervised(18_001);
    await s.supervisor.start({ project: "bot", orders: true }, { PATH: process.env.PATH });
    const seen = await failRepeatedly(s, async () => {
      s.setAnswer("unhealthy");
      await s.clock.advance(2_000); // two failed probes, one a second
      s.setAnswer("healthy"); // the next run answers again, and then fails the same way
    });
    expect(seen).toEqual([5, 10, 20, "failed"]);
    expect(s.bot().lastFailure!.reason).toMatch(
      /^health: 2 failed probes of \/health in a row .*gave up after 3 restarts/,
    );
  });
});
