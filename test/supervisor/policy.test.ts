/** The restart policy and the state table, pure: the seed's 5 s, 10 s, 20 s then give up, and its exceptions. */
import { describe, expect, it } from "vitest";
import { decideRestart, FRESH_STREAK, type RestartStreak } from "../../src/supervisor/policy.js";
import { canTransition, ensureTransition, INSTANCE_STATES, STATE_TABLE } from "../../src/supervisor/states.js";

const SEED = { backoffSeconds: [5, 10, 20], maxRestarts: 3 };
const crashAtOnce = { established: false, runningMs: 0 };

function loop(runs: { established: boolean; runningMs: number }[], settings = SEED) {
  let streak: RestartStreak = FRESH_STREAK;
  const out: (number | "fail")[] = [];
  for (const run of runs) {
    const d = decideRestart(streak, run, settings);
    if (d.kind === "fail") {
      out.push("fail");
      break;
    }
    out.push(d.delayMs);
    streak = d.next;
  }
  return out;
}

describe("decideRestart", () => {
  it("backs a crash loop off through 5, 10, 20 s and gives up after 3 restarts", () => {
    expect(loop([crashAtOnce, crashAtOnce, crashAtOnce, crashAtOnce, crashAtOnce])).toEqual([
      5000,
      10000,
      20000,
      "fail",
    ]);
  });
  it("waits the same 5, 10, 20 s for a service that was up and healthy (a crash or failed health)", () => {
    const upAWhile = { established: true, runningMs: 2000 };
    expect(loop([upAWhile, upAWhile, upAWhile, upAWhile])).toEqual([5000, 10000, 20000, "fail"]);
    expect(loop([upAWhile, crashAtOnce, crashAtOnce, crashAtOnce])).toEqual([5000, 10000, 20000, "fail"]);
  });
  it("restarts the first crash of a service that was up at once, then backs off 5, 10, 20 s as for health", () => {
    const crashed = { established: true, runningMs: 2000, crashed: true };
    expect(loop([crashed, crashed, crashed, crashed, crashed])).toEqual([0, 5000, 10000, 20000, "fail"]);
    // never restarted at all when maxRestarts is 0, not even the first crash
    expect(loop([crashed], { backoffSeconds: [1], maxRestarts: 0 })).toEqual(["fail"]);
    // a crash during start (never up) is a crash loop in the making: it waits
    expect(loop([{ ...crashAtOnce, crashed: true }, crashed])).toEqual([5000, 10000]);
    // after a stable run the next crash is again restarted at once
    const stable = decideRestart(
      { streak: 2, backoffStep: 2 },
      { established: true, runningMs: 31_000, crashed: true },
      SEED,
    );
    expect(stable).toEqual({ kind: "restart", delayMs: 0, next: { streak: 1, backoffStep: 0 } });
  });
  it("starts a fresh streak after a stable run", () => {
    const first = decideRestart({ streak: 3, backoffStep: 3 }, { established: true, runningMs: 31_000 }, SEED);
    expect(first).toEqual({ kind: "restart", delayMs: 5000, next: { streak: 1, backoffStep: 1 } });
    const unstable = decideRestart({ streak: 3, backoffStep: 3 }, { established: true, runningMs: 29_000 }, SEED);
    expect(unstable).toEqual({ kind: "fail", restarts: 3 });
  });
  it("keeps the last delay when the list runs out, and never restarts with maxRestarts 0", () => {
    expect(loop(Array(6).fill(crashAtOnce), { backoffSeconds: [0.1, 0.2], maxRestarts: 5 })).toEqual([
      100,
      200,
      200,
      200,
      200,
      "fail",
    ]);
    expect(loop([crashAtOnce], { backoffSeconds: [1], maxRestarts: 0 })).toEqual(["fail"]);
  });
});

describe("state table", () => {
  it("lists every state and only known target states", () => {
    expect(Object.keys(STATE_TABLE).sort()).toEqual([...INSTANCE_STATES].sort());
    for (const transitions of Object.values(STATE_TABLE))
      for (const targets of Object.values(transitions)) for (const t of targets!) expect(INSTANCE_STATES).toContain(t);
  });
  it("every state is reachable from stopped", () => {
    const seen = new Set(["stopped"]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const from of [...seen])
        for (const targets of Object.values(STATE_TABLE[from as keyof typeof STATE_TABLE]))
          for (const t of targets!) if (!seen.has(t)) changed = seen.add(t) !== undefined;
    }
    expect([...seen].sort()).toEqual([...INSTANCE_STATES].sort());
  });
  it("leaves failed only by an operator's start (restart) or stop, never by itself", () => {
    expect(Object.keys(STATE_TABLE.failed).sort()).toEqual(["start", "stop"]);
    expect(canTransition("failed", "backoffElapsed", "starting")).toBe(false);
  });
  it("refuses a transition the table does not list", () => {
    expect(() => ensureTransition("web", "stopped", "healthy", "running")).toThrow(
      /web cannot go from stopped to running on healthy/,
    );
    expect(() => ensureTransition("web", "running", "exited", "backoff")).not.toThrow();
  });
});
