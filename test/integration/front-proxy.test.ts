/**
 * The front proxy as the deploy drives it (control.ts → the shipped dist/front-proxy.mjs, its keeper and workers),
 * under continuous keep-alive load: a graceful restart fails no request, a SIGKILLed worker is replaced and no
 * connection is refused meanwhile (the keeper keeps the socket), a SIGKILLed keeper is succeeded by one its worker
 * starts on the same socket, a colour restarting right after a switch delays requests instead of failing them, one
 * guarded switch nobody confirms returns to the colour it left, one `stop` leaves nothing running or listening,
 * and a proxy started again comes back on the route it had.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetLayout } from "../../src/deploy/layout.js";
import { type ProxyControl, proxyControl, proxySummary, restartProxy } from "../../src/deploy/proxy/control.js";
import { frontProxyProgram } from "../../src/deploy/proxy/program.js";
import { targetFiles } from "../../src/deploy/target-files.js";
import { createLocalExecutor } from "../../src/exec/local.js";
import { startLoad } from "../helpers/load.js";

let base: string;
let backend: Server;
let backendPort: number;
let publicPort: number;
let proxy: ProxyControl;

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
const freePort = async () => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  return port;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};
const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
/** one request on a fresh connection: the status code, or the error code (ECONNREFUSED when nothing listens) */
const fresh = () =>
  new Promise<string>((resolve) => {
    const req = get({ host: "127.0.0.1", port: publicPort, path: "/version", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "tradeops-proxy-"));
  backend = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end('{"version":"v1"}');
  });
  backendPort = await listen(backend);
  publicPort = await freePort();
  proxy = proxyControl({
    files: targetFiles(createLocalExecutor()),
    layout: targetLayout(base),
    publicPort,
    bindHost: "127.0.0.1",
    node: process.execPath,
  });
  await proxy.ensure();
  await proxy.switchTo("blue", backendPort, "r1");
});

/** every proxy process this file started runs from a directory below `dir` (keepers a failed test left included) */
function killProxiesIn(dir: string): void {
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir)) process.kill(Number(entry), "SIGKILL");
    } catch {}
  }
}

afterAll(async () => {
  killProxiesIn(base);
  backend?.close();
  backend?.closeAllConnections();
  rmSync(base, { recursive: true, force: true });
});

describe("the front proxy", () => {
  it("restarts gracefully under load without failing a request", async () => {
    const before = await proxy.ensure();
    const load = startLoad(publicPort, "/version", { clients: 8, maxSeconds: 40 });
    let after: Awaited<ReturnType<typeof restartProxy>>;
    try {
      await load.answered(150);
      after = await restartProxy(proxy);
      await load.answered(150);
      await proxy.restart();
      await load.answered(150);
    } finally {
      const report = await load.stop();
      expect(report.errors).toEqual([]);
      expect(report.failed).toBe(0);
      expect(report.ok).toBeGreaterThanOrEqual(450);
    }
    expect(after.state).toBe("running");
    expect(after.activeColor).toBe("blue");
    expect(after.pid).toBe(before.pid);
    expect(after.workerPid).not.toBe(before.workerPid);
    expect(after.restarts).toBe(before.restarts + 1);
    // the replaced worker drained and exited
    await until("the old worker to exit", () => !alive(before.workerPid));
  });

  it("replaces a SIGKILLed worker without refusing a connection", async () => {
    const before = await proxy.ensure();
    const load = startLoad(publicPort, "/version", { clients: 8, maxSeconds: 40 });
    const probes: string[] = [];
    try {
      await load.answered(150);
      process.kill(before.workerPid, "SIGKILL");
      // fresh connections while no worker runs queue on the keeper's socket: none is refused
      const probing = Date.now();
      while (Date.now() - probing < 300) probes.push(await fresh());
      await load.answered(150);
    } finally {
      const report = await load.stop();
      // only requests in flight on the killed worker's connections may fail; none for want of a listener
      expect(report.errors.filter((e) => e === "ECONNREFUSED")).toEqual([]);
      expect(report.failed).toBeLessThanOrEqual(8);
      expect(report.ok).toBeGreaterThanOrEqual(300);
    }
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((p) => p !== "200")).toEqual([]);
    const after = await proxySummary(proxy);
    expect(after).toMatchObject({ state: "running", pid: before.pid, crashes: before.crashes + 1 });
    expect(after.workerPid).not.toBe(before.workerPid);
    expect(after.lastExit).toContain("SIGKILL");
  });

  it("outlives a SIGKILLed keeper: its worker hands the socket to a new keeper", async () => {
    const before = await proxy.ensure();
    const load = startLoad(publicPort, "/version", { clients: 8, maxSeconds: 40 });
    const probes: string[] = [];
    try {
      await load.answered(150);
      process.kill(before.pid, "SIGKILL");
      const probing = Date.now();
      while (Date.now() - probing < 300) probes.push(await fresh());
      await until("a new keeper", async () => ((await proxy.status())?.pid ?? before.pid) !== before.pid);
      await load.answered(150);
    } finally {
      const report = await load.stop();
      expect(report.errors).toEqual([]);
      expect(report.failed).toBe(0);
    }
    expect(probes.filter((p) => p !== "200")).toEqual([]);
    const after = await proxySummary(proxy);
    expect(after).toMatchObject({ state: "running", activeColor: "blue", release: "r1" });
    await until("the orphaned worker to exit", () => !alive(before.workerPid));
  });

  it("holds requests while the colour it just switched to restarts, instead of failing them", async () => {
    const green = createServer((_req, res) => res.end('{"version":"v2"}'));
    const greenPort = await listen(green);
    await proxy.switchTo("green", greenPort, "r2");
    const load = startLoad(publicPort, "/version", { clients: 8, maxSeconds: 40 });
    try {
      await load.answered(100);
      // the release dies right after the switch and its supervisor brings it back on the same port
      green.close();
      green.closeAllConnections();
      await new Promise((r) => setTimeout(r, 300));
      await new Promise<void>((resolve) => green.listen(greenPort, "127.0.0.1", resolve));
      await load.answered(100);
    } finally {
      const report = await load.stop();
      green.close();
      green.closeAllConnections();
      await proxy.switchTo("blue", backendPort, "r1");
      expect(report.errors).toEqual([]);
      expect(report.failed).toBe(0);
      expect(report.bodies['{"version":"v2"}']).toBeGreaterThanOrEqual(200);
    }
  });

  it("returns traffic to the colour it left when a guarded switch is neither renewed nor confirmed", async () => {
    const green = createServer((_req, res) => res.end('{"version":"v2"}'));
    const greenPort = await listen(green);
    const body = async () => (await fetch(`http://127.0.0.1:${publicPort}/version`)).text();
    const blue = { color: "blue" as const, port: backendPort, release: "r1" };
    try {
      // confirmed in time: it stays
      await proxy.switchTo("green", greenPort, "r2", { fallback: blue, leaseMs: 1500 });
      expect((await proxy.status())?.guard).toMatchObject({ release: "r2", fallback: blue });
      await proxy.confirm("r2");
      await new Promise((r) => setTimeout(r, 1800));
      expect(await body()).toBe('{"version":"v2"}');
      expect((await proxy.status())?.guard).toBeNull();

      // renewed, then abandoned (the deploy died after the switch): traffic returns to the warm old colour
      await proxy.switchTo("blue", backendPort, "r1");
      await proxy.switchTo("green", greenPort, "r2", { fallback: blue, leaseMs: 1500 });
      await new Promise((r) => setTimeout(r, 800));
      await proxy.renew(1500);
      await new Promise((r) => setTimeout(r, 800));
      // past the first lease: the renewal kept it
      expect(await body()).toBe('{"version":"v2"}');
      await until("traffic back on blue", async () => (await body()) === '{"version":"v1"}');
      const status = await proxy.status();
      expect(status?.route).toMatchObject(blue);
      expect(status?.lastRevert).toContain("returned to r1 (blue): the switch to r2 was not confirmed in time");
      expect(JSON.parse(readFileSync(join(base, "shared/proxy/route.json"), "utf8"))).toMatchObject(blue);
      await expect(proxy.confirm("r2")).rejects.toThrow(/no longer routes to r2 \(it serves r1\)/);
    } finally {
      green.close();
      green.closeAllConnections();
      await proxy.switchTo("blue", backendPort, "r1");
    }
  });

  it("moves a proxy running older code onto the shipped program without replacing its keeper", async () => {
    const program = join(base, "shared/proxy/front-proxy.mjs");
    writeFileSync(program, `${readFileSync(program, "utf8")}// an older build\n`);
    const older = await proxy.restart();
    expect(older.version).not.toBe(frontProxyProgram().version);
    const current = await proxy.ensure();
    expect(current.version).toBe(frontProxyProgram().version);
    expect(current.pid).toBe(older.pid);
    expect(current.workerPid).not.toBe(older.workerPid);
    expect(readFileSync(program, "utf8")).toBe(frontProxyProgram().text);
  });

  it("answers its health without the token", async () => {
    const info = JSON.parse(readFileSync(join(base, "shared/proxy/proxy.json"), "utf8")) as { controlPort: number };
    const res = await fetch(`http://127.0.0.1:${info.controlPort}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, state: "running", route: "blue" });
    expect((await fetch(`http://127.0.0.1:${info.controlPort}/status`)).status).toBe(401);
  });

  it("stops with one call, and comes back on the route it had", async () => {
    const running = await proxy.ensure();
    await proxy.stop();
    expect(alive(running.pid)).toBe(false);
    expect(alive(running.workerPid)).toBe(false);
    expect(await fresh()).toBe("ECONNREFUSED");
    expect(await proxy.status()).toBeUndefined();
    expect((await proxySummary(proxy)).state).toBe("stopped");

    const again = await proxy.ensure();
    expect(again.pid).not.toBe(running.pid);
    expect(again.route).toMatchObject({ color: "blue", port: backendPort, release: "r1" });
    expect(await fresh()).toBe("200");
  });
});

describe("a worker that keeps crashing", () => {
  it("is restarted with a backoff that doubles per crash in a row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tradeops-proxy-backoff-"));
    const port = await freePort();
    const log = join(dir, "keeper.log");
    const out = openSync(log, "a");
    spawn(process.execPath, [frontProxyProgram().path, "serve", dir, String(port), "127.0.0.1"], {
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, TRADEOPS_PROXY_BACKOFF_MS: "150", TRADEOPS_PROXY_STABLE_MS: "60000" },
    });
    const info = () =>
      JSON.parse(readFileSync(join(dir, "proxy.json"), "utf8")) as { controlPort: number; token: string };
    const status = async () =>
      (await (
        await fetch(`http://127.0.0.1:${info().controlPort}/status`, {
          headers: { authorization: `Bearer ${info().token}` },
        })
      ).json()) as { state: string; workerPid: number; crashes: number };
    try {
      await until("the keeper", () => {
        try {
          return info().controlPort > 0;
        } catch {
          return false;
        }
      });
      for (let crash = 1; crash <= 3; crash++) {
        const before = await status();
        process.kill(before.workerPid, "SIGKILL");
        await until("the keeper to notice", async () => (await status()).crashes === crash);
        await until("the next worker", async () => (await status()).workerPid > 0);
      }
      const delays = readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.includes('"after":"crash"'))
        .map((line) => (JSON.parse(line) as { delayMs: number }).delayMs);
      expect(delays).toEqual([150, 300, 600]);
      expect((await status()).state).toBe("running");
    } finally {
      killProxiesIn(dir);
      closeSync(out);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
