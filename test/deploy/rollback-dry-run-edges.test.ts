/**
 * `rollback --dry-run` past a deploy left in progress, where the outcome depends on what only acting would tell (a
 * front proxy that does not answer, a lock still held), where the recovery leaves nothing to return to, and on a
 * target without a port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeployEvent } from "../../src/deploy/events.js";
import { rollback } from "../../src/deploy/rollback.js";
import { findTarget } from "../../src/deploy/targets.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";
import { DIED, keepReleases, leaveInProgress, rollbackOf, watched } from "../helpers/left-in-progress.js";
import { recordingDesk, recordingTarget, releaseRecord } from "../helpers/recording-target.js";

const workspace = loadWorkspace({ cwd: DESK });
const desk = recordingDesk(workspace, "staging");
const { log } = desk;
const events: DeployEvent[] = [];
beforeEach(() => {
  desk.reset();
  events.length = 0;
});

const run = rollbackOf(workspace, desk.clock, events);

describe("rollback --dry-run where only acting would tell", () => {
  it("says what it cannot know: a front proxy that does not answer comes back on the route it kept", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("green", "R2", "R1");
    await keepReleases(backend);
    await leaveInProgress(backend, DIED);
    const { layout, files } = backend.session;
    await files.writeJson(`${layout.proxyDir}/route.json`, { color: "green", port: 8203, release: "R2", seq: 3 });
    const { session, ensured } = watched(backend);
    const silent = { ...session, proxy: { ...session.proxy, status: async () => undefined } };
    const { plan } = await run(silent, { dryRun: true });
    expect(ensured()).toBe(0);
    expect(plan.notes[0]).toEqual({
      level: "warn",
      message:
        "alpine-backend on local: no front proxy answers: the recovery starts it first, and it comes back routing to R2 (green), the route it kept; a switch guard it kept may return traffic as it starts",
    });
    expect(plan.recoveries?.[0]?.actions[0]).toBe(
      "traffic returns from R2 (green) to R1 (blue, warm: it still runs there)",
    );
  });

  it("says that a switch the proxy has not had confirmed may be returned by the proxy before the rollback runs", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("green", "R2", "R1");
    await keepReleases(backend);
    await leaveInProgress(backend, DIED);
    const proxy = backend.session.proxy;
    const guard = {
      release: "R2",
      fallback: { color: "blue" as const, port: 8202, release: "R1" },
      expiresAt: "2026-11-18T10:01:00.000Z",
    };
    const status = async () => {
      const now = await proxy.status();
      return now && { ...now, guard };
    };
    const { plan } = await run({ ...backend.session, proxy: { ...proxy, status } }, { dryRun: true });
    expect(plan.notes.map((n) => n.message)).toEqual([
      "alpine-backend on local: the front proxy's switch to R2 is unconfirmed until 2026-11-18T10:01:00.000Z: after that it returns traffic to R1 itself (if that answers), and the recovery then only stops R2; this plan assumes the route as it is now",
    ]);
    expect(log).toEqual([]);
  });

  it("a deploy holding the lock live is said not to be recovered while it runs", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("blue", "R1", "R0");
    await keepReleases(backend);
    await leaveInProgress(backend, { ...DIED, step: "start" });
    await backend.session.lock.acquire({ id: "deploy-9", who: "other@elsewhere", command: "deploy" } as never);
    const { plan } = await run(backend.session, { dryRun: true });
    expect(plan.notes.map((n) => n.message)).toContain(
      "alpine-backend on local: the deploy lock is held by other@elsewhere (deploy) and not stale: while that deploy runs, the rollback refuses (exit 75) and recovers nothing; this plan assumes it died",
    );
    await expect(run(backend.session)).rejects.toMatchObject({ code: "TRO_ERR_LOCK_HELD" });
  });
  it("a first deploy that took traffic keeps serving (nothing to return to); the plan starts from it", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("green", "R2");
    await keepReleases(backend);
    await leaveInProgress(backend, { ...DIED, previousActive: undefined, previousRelease: undefined });
    const dry = await run(backend.session, { dryRun: true });
    expect(dry.plan.recoveries?.[0]?.actions).toEqual([
      "R2 keeps serving, unverified (a first deploy: nothing to return to)",
      "R2 is marked failed (interrupted during monitor)",
      "R2 serves on green",
    ]);
    const real = await run(backend.session);
    expect(real.plan.moves).toEqual(dry.plan.moves);
    expect(dry.plan.moves[0]).toMatchObject({ from: { release: "R2" }, to: { release: "R1" }, warm: false });
  });

  it("refuses as the rollback would (64) when the recovery leaves nothing to return to, and says the recovery", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("blue", "R1", "R2");
    const { goodAt: _, ...r2 } = releaseRecord("R2", "alpine-backend", 2, "started");
    await backend.session.records.writeReleases([releaseRecord("R1", "alpine-backend", 1), r2]);
    await leaveInProgress(backend, { ...DIED, step: "start" });
    const refused = {
      code: "TRO_ERR_USAGE",
      message: "alpine-backend has no known-good release other than R1 on local.",
    };
    await expect(run(backend.session, { dryRun: true })).rejects.toMatchObject({
      ...refused,
      hint: "A rollback first recovers the deploy deploy-9 left in progress there (R2 (green) is stopped; R2 is marked failed (interrupted during start); R1 serves on blue), then refuses so. Releases there: R1 (good), R2.",
    });
    expect(log).toEqual([]);
    await expect(run(backend.session)).rejects.toMatchObject(refused);
    expect(log).toEqual(["alpine-backend: lock", "alpine-backend: stop green", "alpine-backend: unlock"]);
  });
});

describe("rollback --dry-run on a worker target (no port, no proxy)", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a worker that replaced the old one and died before gate 11: the forecast return is the one made", async () => {
    dir = mkdtempSync(join(tmpdir(), "tradeops-dry-run-"));
    mkdirSync(join(dir, "collector"));
    writeFileSync(
      join(dir, "tradeops.yaml"),
      [
        "name: ticks",
        "environments: { detect: { default: staging }, staging: { signals: { store: none, required: false } } }",
        "projects:",
        "  collector: { path: collector, kind: worker, commands: { start: python3 c.py } }",
        "targets:",
        "  staging:",
        `    collector: { hosts: [local], path: ${join(dir, "target")} }`,
        "",
      ].join("\n"),
    );
    const ticks = loadWorkspace({ cwd: dir });
    const worker = recordingTarget({
      project: ticks.projects.collector!,
      target: findTarget(ticks, "staging", "collector")!,
      clock: desk.clock,
      log,
    });
    // R1 ran in blue; the deploy of R2 stopped it after R2 passed its checks in green, and died there
    await worker.serve("green", "R2");
    await keepReleases(worker);
    const state = await worker.readState();
    state.active = "blue";
    state.colors = { blue: { release: "R1", port: 0, startedAt: "", orders: true } };
    await worker.session.records.writeState(state);
    await leaveInProgress(worker, { ...DIED, step: "switch" });
    // a target without a port runs no front proxy: none answers there
    const session = { ...worker.session, proxy: { ...worker.session.proxy, status: async () => undefined } };
    const go = (dryRun: boolean) =>
      rollback({
        workspace: ticks,
        environment: "staging",
        project: "collector",
        who: "tester@test-host",
        hostname: "test-host",
        command: "rollback",
        executorFor: () => worker.executor,
        sessionFor: () => session,
        clock: desk.clock,
        dryRun,
      });
    const dry = await go(true);
    expect(log).toEqual([]);
    expect(dry.plan.recoveries?.[0]?.actions).toEqual([
      "traffic returns from R2 (green) to R1 (blue, cold: it starts there and must pass health first)",
      "R2 is marked failed (interrupted during switch)",
      "R1 serves on blue",
    ]);
    const real = await go(false);
    expect(real.plan.moves).toEqual(dry.plan.moves);
    expect(dry.plan.moves[0]).toMatchObject({ from: { release: "R1" }, to: { release: "R0" }, warm: false });
    expect(log).toEqual([
      "collector: lock",
      "collector: start blue R1",
      "collector: stop green",
      "collector: start green R0",
      "collector: stop blue",
      "collector: unlock",
    ]);
  });
});
