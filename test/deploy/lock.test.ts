/** The deploy lock on a real directory: who holds it, stale detection by pid (same host) and beat (other host). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { targetLayout } from "../../src/deploy/layout.js";
import { type LockOwner, openDeployLock } from "../../src/deploy/lock.js";
import { targetFiles } from "../../src/deploy/target-files.js";
import { createLocalExecutor } from "../../src/exec/local.js";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tradeops-lock-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const owner = (extra: Partial<LockOwner> = {}): LockOwner => ({
  id: `id-${Math.random()}`,
  who: "ana@laptop",
  host: "laptop",
  pid: process.pid,
  command: "deploy argo to production",
  project: "argo",
  environment: "production",
  release: "20261122T101500Z-abc1234",
  startedAt: "2026-11-22T10:15:00.000Z",
  heartbeatAt: new Date().toISOString(),
  ...extra,
});
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("the deploy lock", () => {
  const open = (hostname = "laptop", now?: () => number) =>
    openDeployLock({ files: targetFiles(createLocalExecutor()), layout: targetLayout(dir), hostname, now });

  it("is held by one deploy at a time and names its holder", async () => {
    const lock = open();
    expect(await lock.acquire(owner())).toBeUndefined();
    expect(await lock.status()).toMatchObject({ held: true, stale: false, owner: { who: "ana@laptop" } });
    await expect(lock.acquire(owner({ who: "bo@ci" }))).rejects.toMatchObject({
      code: "TRO_ERR_LOCK_HELD",
      exitCode: 75,
      message:
        "The deploy lock of argo in production is held by ana@laptop (pid " +
        `${process.pid} on laptop, deploy argo to production of 20261122T101500Z-abc1234) since 2026-11-22T10:15:00.000Z.`,
    });
  });

  it("is stale when its process is gone on this host, and the next deploy takes it over", async () => {
    const lock = open();
    const crashed = owner({ pid: deadPid() });
    await lock.acquire(crashed);
    expect(await lock.status()).toMatchObject({
      held: true,
      stale: true,
      staleReason: `its process ${crashed.pid} on laptop is gone`,
    });
    const next = owner({ who: "bo@ci" });
    expect(await lock.acquire(next)).toMatchObject({ id: crashed.id });
    expect(JSON.parse(readFileSync(join(dir, "shared/deploy.lock/owner.json"), "utf8")).who).toBe("bo@ci");
  });

  it("is stale when its owner on another host stopped beating, not before", async () => {
    let now = Date.parse("2026-11-22T10:15:30.000Z");
    const lock = open("ci-runner", () => now);
    await lock.acquire(owner({ heartbeatAt: "2026-11-22T10:15:00.000Z" }));
    expect((await lock.status()).stale).toBe(false);
    now += 60_000;
    expect(await lock.status()).toMatchObject({ stale: true, staleReason: "laptop has not renewed it for 90 s" });
  });

  it("is released only by its owner, and broken by anyone", async () => {
    const lock = open();
    const mine = owner();
    await lock.acquire(mine);
    await lock.release(owner());
    expect((await lock.status()).held).toBe(true);
    await lock.release(mine);
    expect((await lock.status()).held).toBe(false);
    await lock.acquire(mine);
    expect(await lock.breakLock()).toMatchObject({ id: mine.id });
    expect((await lock.status()).held).toBe(false);
  });

  it("says at each heartbeat whether the lock is still its owner's", async () => {
    const lock = open();
    const mine = owner();
    await lock.acquire(mine);
    expect(await lock.heartbeat(mine)).toBe(true);
    await lock.breakLock();
    const next = owner({ who: "bo@ci" });
    await lock.acquire(next);
    // broken and taken by another deploy: the beat writes nothing and reports the loss
    expect(await lock.heartbeat(mine)).toBe(false);
    expect((await lock.status()).owner?.who).toBe("bo@ci");
  });
});

describe("tradeops lock", () => {
  let desk: DeployDesk;
  afterEach(async () => {
    await desk?.cleanup();
  });

  it("shows a stale lock and breaks it with a recorded reason", async () => {
    desk = await createDeployDesk();
    const lock = openDeployLock({
      files: targetFiles(createLocalExecutor()),
      layout: targetLayout(desk.target),
      hostname: "test-host",
    });
    await lock.acquire(owner({ host: "test-host", pid: deadPid(), project: "alpine-backend", environment: "staging" }));
    const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
    const status = await run("lock", "status", "--env", "staging");
    expect(status.stdout).toMatch(
      /alpine-backend@local {2}stale {2}held by ana@laptop \(pid \d+ on test-host\) since 2026-11-22T10:15:00.000Z: deploy argo to production — stale: its process \d+ on test-host is gone/,
    );
    expect((await run("lock", "break", "alpine-backend", "--env", "staging")).code).toBe(64);
    const broken = await run("lock", "break", "alpine-backend", "--env", "staging", "--reason", "deploy host rebooted");
    expect(broken.stdout).toContain(
      "broke the lock of alpine-backend@local held by ana@laptop since 2026-11-22T10:15:00.000Z",
    );
    expect(JSON.parse((await run("lock", "status", "--env", "staging", "--json")).stdout).locks[0]).toMatchObject({
      held: false,
    });
    const history = JSON.parse((await run("history", "--env", "staging", "--json")).stdout).records;
    expect(history[0]).toMatchObject({
      kind: "lock-break",
      who: "tester@test-host",
      reason: expect.stringContaining("deploy host rebooted (the lock was held by ana@laptop"),
    });
  });
});
