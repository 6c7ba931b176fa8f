/**
 * A new user's own workspace, sharing nothing with the example desk: a Python worker without a port that writes a
 * heartbeat, a small Node HTTP service listening on $PORT, environments reached through the shop's own aliases and
 * detection variable. The built CLI runs in it the commands the docs show.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killTargetProcesses } from "../helpers/deploy-desk.js";
import { freePort } from "../supervisor/helpers.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");

const WORKER = `import os, time, pathlib
hb = pathlib.Path("data/heartbeat")
hb.parent.mkdir(parents=True, exist_ok=True)
while True:
    hb.write_text(str(time.time()))
    time.sleep(float(os.environ.get("PULSE_INTERVAL", "1")))
`;

const SERVICE = `import http from "node:http";
http.createServer((req, res) => {
  res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
  res.end(JSON.stringify({ status: req.url === "/health" ? "healthy" : "not found" }));
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

interface Shop {
  readonly root: string;
  readonly port: number;
}

/** The shop: `pulse` (worker, heartbeat) and `quote-api` (service on a free port), SHOP_STAGE with aliases. */
async function createShop(): Promise<Shop> {
  const root = mkdtempSync(join(tmpdir(), "tradeops-shop-"));
  roots.push(root);
  const port = await freePort();
  const files: Record<string, string> = {
    "tradeops.yaml": [
      "name: shop",
      "environments:",
      "  detect: { variable: SHOP_STAGE, aliases: { sandbox: development, uat: staging } }",
      "  development: {}",
      "  staging: {}",
      "projects:",
      "  pulse:",
      "    path: pulse",
      "    kind: worker",
      "    commands: { start: python3 worker.py }",
      "    health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 5, intervalSeconds: 1 }",
      "    config: { base: config/base.yaml, envPrefix: PULSE_ }",
      "  quote-api:",
      "    path: quote-api",
      `    port: ${port}`,
      "    commands: { start: node server.mjs }",
      "targets:",
      "  staging:",
      "    pulse: { hosts: [local], path: .targets/pulse, persist: [data/] }",
      "policies:",
      "  staging: { healthLevel: 1, monitorSeconds: 1 }",
      "",
    ].join("\n"),
    ".gitignore": ".targets/\n.tradeops/\ndata/\n",
    "pulse/worker.py": WORKER,
    "pulse/config/base.yaml": "interval: 1\n",
    "quote-api/server.mjs": SERVICE,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, port };
}

const env = (root: string) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root });

function tradeops(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    env: env(root),
    encoding: "utf8",
    timeout: 90_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a long-lived command in the background; afterEach stops it. */
function background(root: string, ...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: env(root), stdio: "ignore" });
  children.push(child);
  return child;
}

/** Repeats a command until it exits 0, for at most `seconds`; returns the last result. */
async function until(seconds: number, run: () => ReturnType<typeof tradeops>) {
  const deadline = Date.now() + seconds * 1000;
  let last = run();
  while (last.code !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = run();
  }
  return last;
}

/** Commits everything in the workspace (a git repository from the first call on). */
function commitAll(root: string, message: string): void {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "ignore" });
  if (!existsSync(join(root, ".git"))) git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.email=shop@example.com", "-c", "user.name=shop", "commit", "-qm", message);
}

const children: ChildProcess[] = [];
const roots: string[] = [];
afterEach(async () => {
  // `tradeops run` forwards SIGTERM to the service and exits with it; SIGKILL would leave the service behind
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }
  for (const root of roots.splice(0)) {
    tradeops(root, "supervisor", "stop");
    killTargetProcesses(join(root, ".targets/pulse"));
    killTargetProcesses(join(root, ".tradeops/targets/staging/meanrev"));
    rmSync(root, { recursive: true, force: true });
  }
});

// measured: each case 1–4 s on a quiet 2-core machine; the budget allows a loaded one
describe("a workspace that is not the example", { timeout: 120_000 }, () => {
  it("`tradeops run` starts a service that reads $PORT on the manifest's port, where `tradeops health` asks", async () => {
    const shop = await createShop();
    const run = background(shop.root, "run", "quote-api");
    const health = await until(30, () => tradeops(shop.root, "health", "quote-api", "--level", "1"));
    expect(health.code, health.stdout + health.stderr).toBe(0);
    expect(health.stdout).toContain(`http://127.0.0.1:${shop.port}`);
    // at the default level 2 a service with one endpoint is told how to be judged by it
    const level2 = tradeops(shop.root, "health", "quote-api");
    expect([level2.code, level2.stdout]).toEqual([
      69,
      expect.stringContaining("detailed                 unhealthy  NOT_OFFERED"),
    ]);
    expect(level2.stderr).toContain("point projects.quote-api.health.detailedPath at one it serves");
    // SIGTERM is forwarded to the service itself: it stops with `tradeops run`, nothing is left listening
    const exited = once(run, "exit");
    run.kill("SIGTERM");
    await exited;
    const after = await until(10, () => {
      const r = tradeops(shop.root, "health", "quote-api", "--level", "1");
      return { ...r, code: r.stdout.includes("ECONNREFUSED") ? 0 : 1 };
    });
    expect(after.code, after.stdout).toBe(0);
  });
  it("`tradeops health` judges a worker without a target by its heartbeat file, alone and among `all`", async () => {
    const shop = await createShop();
    const before = tradeops(shop.root, "health", "pulse");
    expect([before.code, before.stdout]).toEqual([69, expect.stringContaining("no_heartbeat")]);
    background(shop.root, "run", "pulse");
    const alone = await until(30, () => tradeops(shop.root, "health", "pulse", "--json"));
    expect(alone.code, alone.stdout + alone.stderr).toBe(0);
    expect(JSON.parse(alone.stdout).projects[0].checks).toEqual([
      { name: "heartbeat", level: 1, status: "healthy", error_code: null },
    ]);
    const all = JSON.parse(tradeops(shop.root, "health", "all", "--level", "1", "--json").stdout);
    expect(all.skipped).toEqual([]);
    expect(all.projects.map((p: { project: string; status: string }) => [p.project, p.status])).toEqual([
      ["quote-api", "unhealthy"],
      ["pulse", "healthy"],
    ]);
  });
  it("`tradeops up` with a bad --console-port says so and starts nothing", async () => {
    const shop = await createShop();
    // before, it warned and ran the services in the foreground until killed: the deadline ends such a run
    const r = spawnSync(process.execPath, [BIN, "up", "--console-port", "abc"], {
      cwd: shop.root,
      env: env(shop.root),
      encoding: "utf8",
      timeout: 30_000,
      killSignal: "SIGINT",
    });
    expect([r.status, r.stderr.trim()]).toEqual([
      64,
      "error: The console port abc (--console-port) is not a port number from 0 to 65535.\n  → For example --console-port 7070 (0: any free port).",
    ]);
    expect(existsSync(join(shop.root, "pulse/data/heartbeat"))).toBe(false);
    expect(existsSync(join(shop.root, ".tradeops"))).toBe(false);
  });
  it("a worker deployed to a local target: `target status` shows its heartbeat health, no port and no proxy", async () => {
    const shop = await createShop();
    commitAll(shop.root, "the shop");
    const deployed = tradeops(shop.root, "deploy", "pulse", "to", "uat");
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const status = tradeops(shop.root, "target", "status", "pulse", "uat", "--json");
    expect(status.code, status.stderr).toBe(0);
    const [view] = JSON.parse(status.stdout).targets;
    expect(view).toMatchObject({ portless: "worker", proxy: { running: false } });
    expect(view.instances).toMatchObject([{ active: true, running: true, health: "healthy", healthDetail: "2/2" }]);
    const text = tradeops(shop.root, "target", "status", "pulse", "uat").stdout;
    expect(text).toContain("pulse in staging on local  no port (worker) · runner supervisor");
    expect(text).not.toContain("proxy not running");
    const stopped = tradeops(shop.root, "target", "stop", "pulse", "uat");
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/^stopped blue \S+ \(pid \d+\) on local\n$/);
  });
  it("`tradeops halt` on a service that sends no orders says it has nothing to stop, and writes no kill switch", async () => {
    const shop = await createShop();
    const halted = tradeops(shop.root, "halt", "quote-api", "--reason", "test");
    expect([halted.code, halted.stderr.trim()]).toEqual([
      64,
      "error: quote-api is a service that sends no orders: a kill switch has nothing to stop there.\n" +
        "  → To stop the process, `tradeops stop quote-api`; a project that trades sets sendsOrders: true.",
    ]);
    expect(existsSync(join(shop.root, ".tradeops/control/quote-api.json"))).toBe(false);
  });
  it("`tradeops restart` says the port the service listens on, as `start` does", async () => {
    const shop = await createShop();
    const started = tradeops(shop.root, "start", "quote-api", "--wait-healthy", "30");
    expect(started.stdout, started.stderr).toContain(`, port ${shop.port})`);
    const restarted = tradeops(shop.root, "restart", "quote-api");
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(new RegExp(`^quote-api \\w+ \\(pid \\d+, port ${shop.port}\\)$`, "m"));
  });
  it("a Python strategy from `tradeops new` deploys to staging as made: its tests stay out of the release", async () => {
    const shop = await createShop();
    const port = await freePort();
    const staging = String(await freePort());
    const made = tradeops(
      shop.root,
      "new",
      "strategy",
      "meanrev",
      "--lang",
      "python",
      "--port",
      String(port),
      "--staging-port",
      staging,
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain("strategies/meanrev/.deployignore");
    commitAll(shop.root, "the shop and its strategy");
    const deployed = tradeops(shop.root, "deploy", "meanrev", "to", "uat");
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    expect(deployed.stdout).toMatch(/deployed meanrev \S+ to staging on local/);
  });
});
