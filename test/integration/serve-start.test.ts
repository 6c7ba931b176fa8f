/**
 * `tradeops serve` starts in the order that keeps probes honest: liveness (/health, /livez, the manifest's own path)
 * answers while the strategy is still loading, readiness (/readyz, /health/detailed) answers 503 STARTING until
 * trading can start and 200 after, and --verbose prints the start timeline (also one log record). The strategy here
 * waits 1.5 s at load (top-level await), so "while loading" is a window of known width, not a race.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { copyWorkspace } from "../helpers/cli.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");
/** a loaded 2-vCPU machine is slow to start node and load a strategy */
const DEADLINE_MS = 45_000;
const LOAD_DELAY_MS = 1500;

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli.js")))
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return { status: 0, body: {} };
  }
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("tradeops serve: liveness first, readiness when trading can start", { timeout: 90_000 }, () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.pid) child.kill("SIGKILL");
  });

  it("answers /livez and the manifest's path while the strategy loads, /readyz 503 until ready, then 200", async () => {
    const ws = copyWorkspace();
    const strategy = join(ws, "argo/src/strategy.ts");
    writeFileSync(
      strategy,
      `${readFileSync(strategy, "utf8")}\nawait new Promise((resolve) => setTimeout(resolve, ${LOAD_DELAY_MS}));\n`,
    );
    // a manifest that names its own liveness path: the supervisor and deploys probe that one
    const manifest = join(ws, "tradeops.yaml");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace("health: { path: /health,", "health: { path: /alive,"),
    );
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, "--workspace", ws, "--verbose", "serve", "argo"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: String(port), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));

    const live = await until(async () => {
      const r = await get(port, "/livez");
      return r.status === 200 ? r : undefined;
    });
    // the strategy is still loading: nothing has logged "start timeline" yet
    const ready = await get(port, "/readyz");
    const own = await get(port, "/alive");
    const detailed = await get(port, "/health/detailed");
    expect(stderr).not.toContain("start timeline");
    expect(live.body).toMatchObject({ status: "healthy", service: "argo", execution_mode: "paper" });
    expect(own.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: "unhealthy",
      components: { service: { status: "unhealthy", error_code: "STARTING" } },
    });
    expect(detailed.status).toBe(503);
    expect((await get(port, "/portfolio")).status).toBe(503);

    await until(async () => ((await get(port, "/readyz")).status === 200 ? true : undefined));
    const after = await get(port, "/health/detailed");
    expect(after.body).toMatchObject({ components: { service: { status: "healthy" } } });
    // the host took the same port over: the level-1 answer now carries the instance identity
    expect((await get(port, "/alive")).body).toMatchObject({ instance: { project: "argo" } });

    const record = /"phases":(\{[^}]*\}),"listeningAtMs":([\d.]+),"readyAtMs":([\d.]+),"msg":"start timeline"/.exec(
      stderr,
    );
    expect(record, stderr).not.toBeNull();
    const phases = JSON.parse(record![1]!) as Record<string, number>;
    expect(Object.keys(phases).sort()).toEqual(
      ["boot", "config", "data", "listen", "manifest", "ready", "store", "strategy"].sort(),
    );
    expect(phases.strategy).toBeGreaterThanOrEqual(LOAD_DELAY_MS);
    expect(Number(record![3]) - Number(record![2])).toBeGreaterThanOrEqual(LOAD_DELAY_MS);
    await until(async () => (/^strategy +[\d.]+ +[\d.]+$/m.test(stdout) ? true : undefined));
    expect(stdout).toMatch(/^start phase +ms +ended at/m);

    child.kill("SIGTERM");
    expect(await new Promise((r) => child.once("exit", r))).toBe(0);
  });

  it("a strategy that fails to load exits with its error and frees the port it had bound", async () => {
    const ws = copyWorkspace();
    writeFileSync(join(ws, "argo/src/strategy.ts"), "export default 42;\n");
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, "--workspace", ws, "serve", "argo", "--port", String(port)], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => child.once("exit", r));
    expect(code, stderr).toBe(78);
    expect(stderr).toContain("exports no strategy");
    // nothing holds the port any more
    await new Promise<void>((resolve, reject) => {
      const s = createServer()
        .once("error", reject)
        .listen(port, "127.0.0.1", () => s.close(() => resolve()));
    });
  });

  it("a usage error after the port was bound early exits with 64 and does not hang", async () => {
    const ws = copyWorkspace();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [BIN, "--workspace", ws, "serve", "argo", "--port", String(port), "--speed", "fast"],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" }, stdio: "pipe" },
    );
    children.push(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((r) => child.once("exit", r))).toBe(64);
    expect(stderr).toContain("--speed fast is not a number");
  });
});
