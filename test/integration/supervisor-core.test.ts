/**
 * The supervisor in-process with real services: crash → healthy again, a crash loop backing off into
 * `failed`, health failures and hangs restarted, the environment re-resolved on every start, graceful and
 * forced stops, the order-sender and port guards, log rotation and retention, secrets kept out of records.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rotatedFiles } from "../../src/supervisor/logs.js";
import { Supervisor, type SupervisorOptions } from "../../src/supervisor/supervisor.js";
import type { InstanceStatus, StateChange } from "../../src/supervisor/types.js";
import { copyWorkspace } from "../helpers/cli.js";
import {
  copiesOf,
  freePort,
  httpGet,
  isAlive,
  makeWorkspace,
  Pids,
  serviceCommand,
  waitFor,
} from "../supervisor/helpers.js";

const pids = new Pids();
const open: Supervisor[] = [];
const baseEnv = { PATH: process.env.PATH, HOME: tmpdir() };

afterEach(async () => {
  for (const s of open.splice(0)) await s.close({ stopServices: false });
  pids.killAll();
});

async function supervise(workspaceRoot: string, options: Partial<SupervisorOptions> = {}) {
  const changes: { name: string; change: StateChange }[] = [];
  const supervisor = new Supervisor({
    workspaceRoot,
    environment: "development",
    stateDir: join(workspaceRoot, ".tradeops/development/supervisor"),
    env: baseEnv,
    stopGraceMs: 2000,
    onChange: (name, change) => {
      pids.add(change.pid);
      changes.push({ name, change });
    },
    ...options,
  });
  open.push(supervisor);
  await supervisor.open();
  const one = (name: string) => supervisor.status().instances.find((i) => i.name === name) as InstanceStatus;
  return { supervisor, changes, one };
}

describe("crashes", () => {
  it("a SIGKILLed service that was up is restarted at once and answers healthy again", async () => {
    const port = await freePort();
    const dir = makeWorkspace({ web: { start: serviceCommand(), port } }); // backoff 0.3, 0.6, 1.2 s
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "web", port, orders: true }, baseEnv);
    const first = await supervisor.waitRunning("web", 10_000);
    expect((await httpGet(port, "/health")).status).toBe(200);
    process.kill(first.pid!, "SIGKILL");
    const again = await waitFor("a new healthy process", () => {
      const i = one("web");
      return i.state === "running" && i.pid !== first.pid ? i : undefined;
    });
    expect((await httpGet(port, "/health")).status).toBe(200);
    expect(again).toMatchObject({ restarts: 1, lastExit: { code: null, signal: "SIGKILL" } });
    const backoff = again.recent.find((c) => c.to === "backoff")!;
    // SPEC §11: immediate restart on crash (the backoff steps are for a second crash, failed starts and health)
    expect(backoff).toMatchObject({ from: "running", trigger: "exited", delayMs: 0 });
    expect(again.recent.find((c) => c.trigger === "backoffElapsed")).toBeDefined();
    expect(isAlive(first.pid!)).toBe(false);
  });

  it("a service that exits at once backs off 0.3, 0.6, 1.2 s, then is failed with its reason; restart clears it", async () => {
    const dir = makeWorkspace({
      crash: {
        start: serviceCommand("--exit-now", "3"),
        port: await freePort(),
        health: { backoffSeconds: [0.3, 0.6, 1.2], maxRestarts: 3 },
      },
    });
    const { supervisor, one, changes } = await supervise(dir);
    await supervisor.start({ project: "crash", orders: true }, baseEnv);
    const failed = await waitFor("failed", () => (one("crash").state === "failed" ? one("crash") : undefined), 15_000);
    expect(failed.restarts).toBe(3);
    expect(failed.lastExit).toMatchObject({ code: 3, signal: null });
    expect(failed.lastFailure!.reason).toBe("exited with code 3; gave up after 3 restarts in a row");
    expect(failed.lastFailure!.logTail).toContain("fatal: cannot start (planted failure)");
    // the timestamps show the backoff: each start comes at least its delay after the exit before it
    const mine = changes.filter((c) => c.name === "crash").map((c) => c.change);
    const backoffs = mine.filter((c) => c.to === "backoff");
    expect(backoffs.map((c) => c.delayMs)).toEqual([300, 600, 1200]);
    for (const b of backoffs) {
      const next = mine.find((c) => c.trigger === "backoffElapsed" && Date.parse(c.at) >= Date.parse(b.at))!;
      expect(Date.parse(next.at) - Date.parse(b.at)).toBeGreaterThanOrEqual(b.delayMs! - 1);
    }
    expect(mine.at(-1)).toMatchObject({ from: "starting", to: "failed", trigger: "exited" });
    const recorded = readFileSync(join(dir, ".tradeops/development/supervisor/events.jsonl"), "utf8");
    expect(recorded).toContain("gave up after 3 restarts");
    // failed stays failed: nothing restarts it by itself
    const restartsBefore = one("crash").restarts;
    await new Promise((r) => setTimeout(r, 400)); // a window in which a (wrong) automatic restart would show
    expect(one("crash")).toMatchObject({ state: "failed", restarts: restartsBefore, pid: null });
    // fix the command (the manifest is read again on every start), then `restart` clears failed
    const manifest = join(dir, "tradeops.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(" --exit-now 3", ""));
    await supervisor.restart({ project: "crash" }, baseEnv);
    await supervisor.waitRunning("crash", 10_000);
    expect(one("crash")).toMatchObject({ state: "running", streak: 0 });
  });
});

describe("health", () => {
  it("a service that stops answering health is restarted after N failed probes", async () => {
    const port = await freePort();
    const dir = makeWorkspace({
      web: {
        start: serviceCommand(),
        port,
        health: { intervalSeconds: 0.2, timeoutSeconds: 0.3, failuresBeforeRestart: 2 },
      },
    });
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "web", orders: true }, baseEnv);
    const first = await supervisor.waitRunning("web", 10_000);
    await httpGet(port, "/hang");
    const again = await waitFor("restarted", () =>
      one("web").state === "running" && one("web").pid !== first.pid ? one("web") : undefined,
    );
    const triggers = again.recent.map((c) => `${c.from}>${c.to}:${c.trigger}`);
    expect(triggers).toContain("running>unhealthy:healthFailed");
    expect(triggers).toContain("unhealthy>stopping:giveUp");
    expect(again.lastFailure!.reason).toMatch(/^health: 2 failed probes of \/health in a row \(last: timeout/);
    expect(JSON.parse((await httpGet(port, "/health")).body).pid).toBe(again.pid);
    expect(isAlive(first.pid!)).toBe(false);
  });

  it("a hung process (SIGSTOP: alive, not answering) is detected and replaced", async () => {
    const port = await freePort();
    const dir = makeWorkspace({
      web: { start: serviceCommand(), port, health: { intervalSeconds: 0.2, timeoutSeconds: 0.3 } },
    });
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "web", orders: true }, baseEnv);
    const first = await supervisor.waitRunning("web", 10_000);
    process.kill(first.pid!, "SIGSTOP");
    const again = await waitFor("replaced", () =>
      one("web").state === "running" && one("web").pid !== first.pid ? one("web") : undefined,
    );
    expect(again.restarts).toBe(1);
    await waitFor("the hung process gone", () => !isAlive(first.pid!));
  });
});

describe("environment", () => {
  it("re-resolves config on every restart: an edited config file reaches the restarted service", async () => {
    const dir = copyWorkspace();
    const port = await freePort();
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "alpine-backend", port, orders: true }, baseEnv);
    const first = await supervisor.waitRunning("alpine-backend", 10_000);
    expect(JSON.parse((await httpGet(port, "/version")).body)).toEqual({ version: "v1" });
    const base = join(dir, "alpine-backend/config/base.yaml");
    writeFileSync(base, readFileSync(base, "utf8").replace("version_label: v1", "version_label: v2"));
    process.kill(first.pid!, "SIGKILL");
    await waitFor(
      "restarted",
      () => one("alpine-backend").state === "running" && one("alpine-backend").pid !== first.pid,
    );
    expect(JSON.parse((await httpGet(port, "/version")).body)).toEqual({ version: "v2" });
  });

  it("sets PORT, colour, release and orders, and a restart takes the caller's current environment", async () => {
    const port = await freePort();
    const dir = makeWorkspace({ web: { start: serviceCommand(), port: 1 } });
    const { supervisor } = await supervise(dir);
    await supervisor.start(
      { project: "web", color: "green", release: "r42", port, orders: false },
      { ...baseEnv, PROBE_VALUE: "one" },
    );
    await supervisor.waitRunning("web@green", 10_000);
    expect(JSON.parse((await httpGet(port, "/env")).body)).toEqual({
      PORT: String(port),
      TRADEOPS_COLOR: "green",
      TRADEOPS_RELEASE: "r42",
      TRADEOPS_ORDERS: "off",
      TRADEOPS_INSTANCE: "web@green",
      TRADEOPS_ENVIRONMENT: "development",
      PROBE_VALUE: "one",
    });
    await supervisor.restart({ project: "web", color: "green" }, { ...baseEnv, PROBE_VALUE: "two" });
    await supervisor.waitRunning("web@green", 10_000);
    expect(JSON.parse((await httpGet(port, "/env")).body).PROBE_VALUE).toBe("two");
  });
});

describe("stop and guards", () => {
  it("stops gracefully with SIGTERM, and with SIGKILL after the grace period when SIGTERM is ignored", async () => {
    const dir = makeWorkspace({
      polite: { start: serviceCommand(), port: await freePort() },
      stubborn: { start: serviceCommand("--ignore-term"), port: await freePort() },
    });
    const { supervisor } = await supervise(dir);
    for (const project of ["polite", "stubborn"]) await supervisor.start({ project, orders: true }, baseEnv);
    await Promise.all(["polite", "stubborn"].map((n) => supervisor.waitRunning(n, 10_000)));
    const started = Date.now();
    const polite = (await supervisor.stop({ project: "polite" }, 3000))[0]!;
    expect(polite).toMatchObject({ state: "stopped", pid: null, lastExit: { code: 0, signal: null } });
    expect(Date.now() - started).toBeLessThan(3000);
    const before = Date.now();
    const stubborn = (await supervisor.stop({ project: "stubborn" }, 400))[0]!;
    expect(stubborn).toMatchObject({ state: "stopped", lastExit: { signal: "SIGKILL" } });
    expect(Date.now() - before).toBeGreaterThanOrEqual(400);
    expect(readFileSync(stubborn.logFile, "utf8")).toContain("ignoring SIGTERM");
  });

  it("never lets two instances of an order-sending project trade at once, nor two share a port", async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const dir = makeWorkspace({ bot: { start: serviceCommand(), port: p1, sendsOrders: true, kind: "strategy" } });
    const { supervisor } = await supervise(dir);
    await supervisor.start({ project: "bot", color: "blue", orders: true }, baseEnv);
    await expect(
      supervisor.start({ project: "bot", color: "green", port: p2, orders: true }, baseEnv),
    ).rejects.toMatchObject({
      code: "TRO_ERR_GUARD_REFUSED",
      message: expect.stringContaining("bot@green would send orders while bot@blue"),
    });
    await expect(
      supervisor.start({ project: "bot", color: "green", port: p1, orders: false }, baseEnv),
    ).rejects.toMatchObject({
      code: "TRO_ERR_USAGE",
      message: `Port ${p1} is already used by bot@blue.`,
    });
    const shadow = await supervisor.start({ project: "bot", color: "green", port: p2, orders: false }, baseEnv);
    expect(shadow.already).toBe(false);
    await supervisor.waitRunning("bot@green", 10_000);
    const again = await supervisor.start({ project: "bot", color: "blue", release: "other", orders: true }, baseEnv);
    expect(again).toMatchObject({ already: true, differs: ["release"] });
  });
});

describe("a supervisor that lost its state", () => {
  it("stops an orphan (a PID file nobody records) and refuses a second copy of an order sender", async () => {
    const [pw, pb] = [await freePort(), await freePort()];
    const dir = makeWorkspace({
      web: { start: serviceCommand(), port: pw },
      bot: { start: serviceCommand(), port: pb, sendsOrders: true, kind: "strategy" },
    });
    const first = await supervise(dir);
    for (const project of ["web", "bot"]) await first.supervisor.start({ project, orders: true }, baseEnv);
    const web = await first.supervisor.waitRunning("web", 10_000);
    const bot = await first.supervisor.waitRunning("bot", 10_000);
    await first.supervisor.close({ stopServices: false }); // it dies; its services live on
    open.splice(open.indexOf(first.supervisor), 1);
    const stateDir = join(dir, ".tradeops/development/supervisor");
    rmSync(join(stateDir, "state.json")); // and its state file is lost
    rmSync(join(stateDir, "pids/bot.pid"));
    expect(isAlive(web.pid!) && isAlive(bot.pid!)).toBe(true);

    const second = await supervise(dir);
    await waitFor("the orphan web stopped", () => !isAlive(web.pid!));
    await expect(second.supervisor.start({ project: "bot", orders: true }, baseEnv)).rejects.toMatchObject({
      code: "TRO_ERR_GUARD_REFUSED",
      message: expect.stringContaining(`A copy of bot (pid ${bot.pid}) still runs outside supervision`),
    });
    expect(copiesOf(stateDir, "bot")).toEqual([bot.pid]);
    expect(second.one("bot")).toMatchObject({ state: "failed", pid: null });
  });
});

describe("logs and secrets", () => {
  it("rotates a chatty service's log by size, keeps at most maxFiles and deletes files past retention", async () => {
    const dir = makeWorkspace({ chatty: { start: serviceCommand("--chatty", "200"), port: await freePort() } });
    const { supervisor } = await supervise(dir, { logLimits: { maxBytes: 4096, maxFiles: 2 }, logCheckIntervalMs: 50 });
    const log = join(dir, ".tradeops/development/supervisor/logs/chatty.log");
    const ancient = join(dir, ".tradeops/development/supervisor/logs/chatty.20200101T000000000Z.log");
    writeFileSync(ancient, "from 2020\n");
    await supervisor.start({ project: "chatty", orders: true }, baseEnv);
    const seen = new Set<string>();
    await waitFor(
      "four rotations",
      () => {
        const files = rotatedFiles(log);
        for (const f of files) if (f.path !== ancient) seen.add(f.path);
        expect(files.length).toBeLessThanOrEqual(2);
        return seen.size >= 4;
      },
      15_000,
      10,
    );
    // older than the environment's logRetentionDays (7): deleted
    expect(() => readFileSync(ancient)).toThrow(/ENOENT/);
    // a rotated file holds whole runs of lines written by the service
    const newest = rotatedFiles(log)[0]!;
    expect(readFileSync(newest.path, "utf8")).toMatch(/x{199}\n/);
  });

  it("keeps a secret the service logs out of the failure record and the status", async () => {
    const secret = "planted-secret-value-7781";
    const dir = makeWorkspace({
      leaky: {
        start: serviceCommand("--exit-now", "2"),
        port: await freePort(),
        health: { maxRestarts: 0 },
        raw: ["secrets:", "  SECRET_PROBE:", "    development: [env:PROBE_SOURCE]"],
      },
    });
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "leaky", orders: true }, { ...baseEnv, PROBE_SOURCE: secret });
    const failed = await waitFor("failed", () => (one("leaky").state === "failed" ? one("leaky") : undefined));
    expect(failed.lastFailure!.logTail.join("\n")).toContain("secret=[redacted: SECRET_PROBE from env:PROBE_SOURCE]");
    expect(JSON.stringify(supervisor.status())).not.toContain(secret);
    expect(readFileSync(join(dir, ".tradeops/development/supervisor/state.json"), "utf8")).not.toContain(secret);
    expect(copiesOf(join(dir, ".tradeops/development/supervisor"), "leaky")).toEqual([]);
  });
});
