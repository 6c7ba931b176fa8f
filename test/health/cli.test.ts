/** `tradeops health` against real services: a tradeops service host and the desk's plain Node backend. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { injectedCheck } from "../../src/health/deep/checks.js";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { type Desk, deskHost } from "../server/helpers.js";

const DEADLINE_MS = 10_000;
const SECRET = "PKLIVE-9c1e-SECRET";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts examples/desk/alpine-backend/server.mjs on `port` and resolves once it says it listens. */
function startBackend(ws: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: join(ws, "alpine-backend"),
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("alpine-backend did not start")), DEADLINE_MS);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes('"listening"')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`alpine-backend exited with ${code}`)));
  });
}

let ws: string;
let desk: Desk;
let backend: ChildProcess | undefined;
let deepFails = false;
let deepHangs = false;
const HANG_TIMEOUT_MS = 300;

beforeAll(async () => {
  ws = copyWorkspace();
  desk = deskHost({
    deepChecks: [
      injectedCheck(
        "broker",
        () =>
          deepHangs
            ? new Promise(() => {})
            : deepFails
              ? Promise.reject(new Error(`401 for ${SECRET}`))
              : { ok: true, observedValue: 5, observedUnit: "ms" },
        { timeoutMs: HANG_TIMEOUT_MS },
      ),
    ],
    deepCacheTtlMs: 0,
  });
  const { port } = await desk.host.start();
  const [backendPort, signalLabPort] = [await freePort(), await freePort()];
  const manifest = join(ws, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8")
      .replace("    port: 8000\n", `    port: ${port}\n`)
      .replace("    port: 8001\n", `    port: ${backendPort}\n`)
      .replace("    port: 8100\n", `    port: ${signalLabPort}\n`),
  );
  backend = await startBackend(ws, backendPort);
});

afterAll(async () => {
  if (backend?.pid && backend.exitCode === null) process.kill(backend.pid, "SIGKILL");
  await desk.host.shutdown("test over");
  rmSync(ws, { recursive: true, force: true });
});

const health = (...args: string[]) => cli(["health", ...args], { cwd: ws });

describe("tradeops health", () => {
  it("exits 0 at 100 % passing and shows the count", async () => {
    desk.allGood();
    const r = await health("argo", "--level", "2");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/argo {2}healthy {2}6\/6 checks passing/);
  });

  it("exits 69 and names every failing check, degraded included", async () => {
    desk.allGood();
    desk.trading.state = "halted";
    desk.registry.report("broker", { status: "unhealthy", errorCode: "DISCONNECTED" });
    try {
      const r = await health("argo", "--level", "2");
      expect(r.code).toBe(69);
      expect(r.stdout).toMatch(/component:broker\s+unhealthy {2}DISCONNECTED/);
      expect(r.stdout).toMatch(/component:risk\s+degraded {2}HALTED/);
      expect(r.stderr).toContain(
        "2 of 6 health checks did not pass: argo component:broker (DISCONNECTED), argo component:risk (HALTED)",
      );
    } finally {
      desk.allGood();
    }
  });

  it("level 3 adds the live checks, in JSON too, with no secret in the output", async () => {
    desk.allGood();
    const ok = await health("argo", "--level", "3", "--json");
    expect(ok.code).toBe(0);
    const body = JSON.parse(ok.stdout);
    expect(body).toMatchObject({ ok: true, environment: "development", level: 3 });
    expect(body.projects[0].checks.map((c: { name: string }) => c.name)).toEqual([
      "health",
      "component:data_feed",
      "component:broker",
      "component:signal_store",
      "component:risk",
      "component:service",
      "check:event_loop",
      "check:memory",
      "check:broker",
    ]);
    deepFails = true;
    try {
      const bad = await health("argo", "--level", "3", "--json");
      expect(bad.code).toBe(69);
      const failing = JSON.parse(bad.stdout).projects[0].checks.filter(
        (c: { status: string }) => c.status !== "healthy",
      );
      expect(failing).toEqual([{ name: "check:broker", level: 3, status: "unhealthy", error_code: "ERROR" }]);
      expect(bad.stdout + bad.stderr).not.toContain(SECRET);
      expect(bad.stderr).toContain("argo check:broker (ERROR)");
    } finally {
      deepFails = false;
    }
  });

  it("level 3 with a hanging dependency answers within the check's timeout and names it", async () => {
    desk.allGood();
    deepHangs = true;
    try {
      const started = performance.now();
      const r = await health("argo", "--level", "3");
      expect(performance.now() - started).toBeLessThan(HANG_TIMEOUT_MS + 1000);
      expect(r.code).toBe(69);
      expect(r.stderr).toContain("1 of 9 health checks did not pass: argo check:broker (TIMEOUT)");
    } finally {
      deepHangs = false;
    }
  });

  it("checks a plain service (the desk's Node backend) at level 1, and at level 3 through its health.deepPath", async () => {
    expect((await health("alpine-backend", "--level", "1")).code).toBe(0);
    // the backend was started without its config and key: its own level 3 says so, check by check
    const deep = await health("alpine-backend", "--level", "3", "--json");
    expect(deep.code).toBe(69);
    const checks = JSON.parse(deep.stdout).projects[0].checks;
    expect(checks).toContainEqual({ name: "check:config", level: 3, status: "unhealthy", error_code: "NO_CONFIG" });
    expect(checks).toContainEqual({ name: "check:analytics_key", level: 3, status: "unhealthy", error_code: "NO_KEY" });
  });

  it("`all` checks every project with a port, names the unreachable one and skips the rest", async () => {
    desk.allGood();
    const r = await health("all", "--level", "1", "--json");
    expect(r.code).toBe(69);
    const body = JSON.parse(r.stdout);
    const byProject = Object.fromEntries(body.projects.map((p: { project: string; status: string }) => [p.project, p]));
    expect(byProject.argo.status).toBe("healthy");
    expect(byProject["alpine-backend"].status).toBe("healthy");
    expect(byProject["signal-lab"].checks).toEqual([
      { name: "health", level: 1, status: "unhealthy", error_code: "ECONNREFUSED" },
    ]);
    expect(body.skipped.map((s: { project: string }) => s.project).sort()).toEqual(["alpine-frontend", "shared"]);
  });

  it("defaults to the environment's policy level", async () => {
    desk.allGood();
    // staging's policy says level 2, and its target for argo is this machine on port 8200 (nothing there)
    const r = await cli(["health", "argo", "--env", "staging", "--json"], { cwd: ws });
    const body = JSON.parse(r.stdout);
    expect(body.level).toBe(2);
    expect(body.projects[0].url).toBe("http://127.0.0.1:8200");
  });

  it("refuses bad input with a sentence and a usage code", async () => {
    const unknown = await health("argoo");
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("There is no project argoo in tradeops.yaml.");
    const portless = await health("alpine-frontend");
    expect(portless.code).toBe(64);
    expect(portless.stderr).toContain("project alpine-frontend has no port in tradeops.yaml");
    const level = await health("argo", "--level", "4");
    expect(level.code).toBe(64);
    expect(level.stderr).toContain("--level");
  });
});
