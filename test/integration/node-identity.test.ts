/**
 * Identity-checked control: a trading node says who it is (workspace, environment, project, release, colour, pid)
 * in /health and its control answers, and `halt`, `resume` and `health` run from another checkout of the same
 * desk refuse (exit 77) to act on it — naming the mismatch — while its own workspace reaches it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlFilePath } from "../../src/runtime/control-file.js";
import { cli, copyWorkspace } from "../helpers/cli.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
const TOKEN = "node-identity-control-token-0001";
const DEADLINE_MS = 45_000;

let mine: string;
let other: string;
let child: ChildProcess;
let port: number;
let log = "";

beforeAll(async () => {
  mine = copyWorkspace();
  other = copyWorkspace();
  child = spawn(process.execPath, [BIN, "--workspace", mine, "serve", "argo", "--port", "0"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TRADEOPS_CONTROL_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const m = /health on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
    if (m) {
      port = Number(m[1]);
      break;
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // the other checkout's manifest names the port this node listens on, as two checkouts of one desk would
  const manifest = join(other, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8").replace(/(\n {2}argo:\n(?: {4}.*\n)*? {4}port: )8000/, `$1${port}`),
  );
}, DEADLINE_MS + 5_000);

afterAll(async () => {
  if (child?.exitCode === null && child.pid) {
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(child.pid, "SIGTERM");
    await exited;
  }
  for (const ws of [mine, other]) if (ws) rmSync(ws, { recursive: true, force: true });
});

const env = { TRADEOPS_CONTROL_TOKEN: TOKEN };

describe("identity-checked control", { timeout: 60_000 }, () => {
  it("/health says which instance answers", async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      instance: Record<string, unknown>;
    };
    expect(health.instance).toMatchObject({ environment: "development", project: "argo", release: "", pid: child.pid });
    expect(health.instance.workspace_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("serves level 3 with the node's own checks: signal store, data, recent errors, executor lease", async () => {
    const deep = (await (await fetch(`http://127.0.0.1:${port}/health/deep`)).json()) as {
      checks: Record<string, { status: string }>;
    };
    expect(Object.keys(deep.checks)).toEqual(
      expect.arrayContaining(["signal_store", "data_fresh", "recent_errors", "executor_lease", "event_loop", "memory"]),
    );
    expect(deep.checks.signal_store?.status).toBe("healthy");
    expect(deep.checks.executor_lease?.status).toBe("healthy");
  });

  it("another workspace's halt, resume and health refuse with exit 77 and name the mismatch; nothing is written", async () => {
    expect(readFileSync(join(other, "tradeops.yaml"), "utf8")).toContain(`port: ${port}`);
    for (const args of [
      ["halt", "argo"],
      ["halt", "argo", "--port", String(port)],
      ["resume", "argo"],
    ]) {
      const refused = await cli(["--workspace", other, ...args], { env });
      expect(refused.code, refused.stderr).toBe(77);
      expect(refused.stderr).toContain("is not argo of this workspace in development");
      expect(refused.stderr).toMatch(/workspace "[0-9a-f]{16}" where "[0-9a-f]{16}" was expected/);
    }
    expect(existsSync(controlFilePath(other, "argo"))).toBe(false);
    const health = await cli(["--workspace", other, "health", "argo", "--level", "1"], { env });
    expect(health.code).toBe(77);
    expect(health.stderr).toContain("is not argo of this workspace");
    // the node is untouched: still trading
    const detailed = (await (await fetch(`http://127.0.0.1:${port}/health/detailed`)).json()) as {
      components: Record<string, { readiness_checks: Record<string, boolean> }>;
    };
    expect(detailed.components.risk?.readiness_checks.trading_open).toBe(true);
  });

  it("its own workspace halts and resumes it through --port, and the answer carries the identity", async () => {
    const halted = await cli(["--workspace", mine, "--json", "halt", "argo", "--port", String(port)], { env });
    expect(halted.code, halted.stderr).toBe(0);
    expect(JSON.parse(halted.stdout).service).toMatchObject({
      reached: true,
      state: "halted",
      instance: { project: "argo", pid: child.pid },
    });
    const resumed = await cli(["--workspace", mine, "resume", "argo", "--port", String(port)], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const health = await cli(["--workspace", mine, "health", "argo", "--port", String(port), "--level", "1"], { env });
    expect(health.code, health.stderr).toBe(0);
  });
});
