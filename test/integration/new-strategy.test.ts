/**
 * A strategy made by `tradeops new strategy`, unedited: it backtests on cached bars, serves in paper mode, passes
 * config check, and deploys to a local staging target. tradeops is "installed" as a shop installs it: the package in
 * node_modules and its bin on PATH.
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli, tradeopsOnPath } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, killTargetProcesses } from "../helpers/deploy-desk.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");

let desk: DeployDesk;
let binDir: string;
beforeAll(async () => {
  desk = await createDeployDesk();
  mkdirSync(join(desk.root, "node_modules"));
  symlinkSync(ROOT, join(desk.root, "node_modules/tradeops"));
  appendFileSync(join(desk.root, ".gitignore"), "node_modules/\n");
  binDir = mkdtempSync(join(tmpdir(), "tradeops-bin-"));
  desk.env.PATH = tradeopsOnPath(binDir, desk.env.PATH);
});
afterAll(async () => {
  if (desk) killTargetProcesses(join(desk.root, ".tradeops/targets/staging/momo"));
  await desk?.cleanup();
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });

/** A port with the next two free as well (a staging target's blue and green). */
async function freeRun(): Promise<number> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(undefined));
      s.listen(port, "127.0.0.1", () => resolve(s));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    const port = (first!.address() as { port: number }).port;
    const rest = [await listen(port + 1), await listen(port + 2)];
    for (const s of [first, ...rest]) await new Promise((r) => (s ? s.close(r) : r(null)));
    if (rest.every(Boolean) && port + 2 < 65_536) return port;
  }
  throw new Error("no three consecutive free ports");
}

async function waitForHealth(url: string, ms: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.ok) return (await res.json()) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms`);
}

describe("tradeops new strategy", () => {
  it("creates the layout and adds the project and a local staging target to the manifest", async () => {
    const [port, staging] = [await freeRun(), await freeRun()];
    const made = await run("new", "strategy", "momo", "--port", String(port), "--staging-port", String(staging));
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain("created strategy momo in strategies/momo");
    const manifest = parse((await import("node:fs")).readFileSync(join(desk.root, "tradeops.yaml"), "utf8"));
    expect(manifest.projects.momo).toMatchObject({ path: "strategies/momo", kind: "strategy", port });
    expect(manifest.targets.staging.momo).toEqual({
      hosts: ["local"],
      path: ".tradeops/targets/staging/momo",
      port: staging,
    });
    desk.git("add", "-A");
    desk.git("commit", "-qm", "momo");
    const again = await run("new", "strategy", "momo");
    expect(again.code).toBe(64);
    expect(again.stderr).toContain("Project momo exists already");
  });

  it("backtests at once on cached bars, and passes config check in every environment", async () => {
    const backtest = await run("backtest", "momo", "--to", "2006-01-01");
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(backtest.stdout).toMatch(/^momo backtest .*sample:sp500$/m);
    const check = await run("config", "check", "momo", "--all-envs");
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it("serves in paper mode", async () => {
    const port = await freeRun();
    const child = spawn(process.execPath, [BIN, "serve", "momo", "--port", String(port)], {
      cwd: desk.root,
      env: desk.env,
      stdio: "ignore",
    });
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}/health`, 30_000);
      expect(health).toMatchObject({ service: "momo", execution_mode: "paper" });
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("deploys to the local staging target, gates and tests included", async () => {
    const deploy = await run("deploy", "momo", "to", "staging");
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout).toMatch(/deployed momo \S+ to staging on local/);
    const staging = parse((await import("node:fs")).readFileSync(join(desk.root, "tradeops.yaml"), "utf8")).targets
      .staging.momo.port;
    const health = await waitForHealth(`http://127.0.0.1:${staging}/health`, 10_000);
    expect(health).toMatchObject({ service: "momo", execution_mode: "paper" });
  }, 120_000);
});
