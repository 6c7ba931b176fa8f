// biome-ignore-all lint/suspicious/noExplicitAny: health bodies are read by key
/**
 * `tradeops new service` (health levels 1–3 wired) and `tradeops new strategy --lang python` (run through
 * `tradeops run`), unedited: their own tests pass, the service answers every level, the Python strategy signals.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { freePorts } from "../helpers/deploy-desk.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");

/** A copy of the desk with tradeops installed in node_modules, as a shop has it. */
function shop(): string {
  const ws = copyWorkspace();
  mkdirSync(join(ws, "node_modules"));
  symlinkSync(ROOT, join(ws, "node_modules/tradeops"));
  return ws;
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing within ${ms} ms`);
}

describe("tradeops new service", () => {
  it("answers /health, /health/detailed and /health/deep, and its own test passes", async () => {
    const ws = shop();
    const [port] = await freePorts(1);
    const made = await cli(["new", "service", "quotes", "--port", String(port), "--json"], { cwd: ws });
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ project: "quotes", path: "services/quotes" });
    expect((await cli(["config", "check", "quotes", "--all-envs"], { cwd: ws })).code).toBe(0);
    const own = spawnSync(process.execPath, ["--test", "tests/"], {
      cwd: join(ws, "services/quotes"),
      encoding: "utf8",
    });
    expect(own.status, own.stdout + own.stderr).toBe(0);

    const child = spawn(process.execPath, ["src/server.mjs"], {
      cwd: join(ws, "services/quotes"),
      env: { ...process.env, PORT: String(port) },
      stdio: "ignore",
    });
    try {
      const level1 = await until(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        return r.ok ? ((await r.json()) as Record<string, unknown>) : undefined;
      }, 20_000);
      expect(level1).toMatchObject({ status: "healthy", service: "quotes" });
      const level2 = (await (await fetch(`http://127.0.0.1:${port}/health/detailed`)).json()) as Record<string, any>;
      expect(level2.status).toBe("healthy");
      expect(Object.keys(level2.components)).toContain("service");
      const level3 = (await (await fetch(`http://127.0.0.1:${port}/health/deep`)).json()) as Record<string, any>;
      expect(level3.level).toBe(3);
      expect(level3.status).toBe("healthy");
      expect(Object.keys(level3.checks)).toEqual(expect.arrayContaining(["event_loop", "memory", "api"]));
      const viaCli = await cli(["health", "quotes", "--level", "3", "--json"], { cwd: ws });
      expect(viaCli.code, viaCli.stdout + viaCli.stderr).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("tradeops new strategy --lang python", () => {
  const python = spawnSync("python3", ["--version"]).status === 0;
  it.runIf(python)("tests on its cached bars, and signals through tradeops run", async () => {
    const ws = shop();
    const made = await cli(["new", "strategy", "pyswing", "--lang", "python", "--port", "8470"], { cwd: ws });
    expect(made.code, made.stderr).toBe(0);
    const dir = join(ws, "strategies/pyswing");
    const own = spawnSync("python3", ["-m", "unittest", "discover", "-s", "tests"], { cwd: dir, encoding: "utf8" });
    expect(own.status, own.stderr).toBe(0);
    const run = spawnSync(process.execPath, [BIN, "run", "pyswing", "--", "python3", "main.py", "--once"], {
      cwd: dir,
      env: { ...process.env, PORT: "0" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const signals = run.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(signals.length).toBeGreaterThan(2);
    expect(signals[0]).toMatchObject({ kind: "signal", strategy: "pyswing" });
  });
});
