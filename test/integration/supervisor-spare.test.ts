/**
 * The warm spare (health.warmSpare) with real processes: the example desk's argo (an order sender) served by the built
 * CLI under an in-process supervisor. A SIGKILLed argo is replaced by its spare (the pid becomes the spare's, /health
 * answers, a new spare follows); the spare binds no port and takes no lease until it goes, then takes the lease through
 * the normal path; a config change makes the spare unusable (a fresh process starts, the spare is replaced); stop
 * leaves no process; no secret reaches status, logs, events or the state file. Through the CLI: `status` and
 * `status --json` show the spare, `stop` stops it with the service.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SUPERVISOR_MARKER, supervisorMarker } from "../../src/supervisor/command.js";
import { findProcessesWithEnv } from "../../src/supervisor/process-info.js";
import { Supervisor } from "../../src/supervisor/supervisor.js";
import type { InstanceStatus } from "../../src/supervisor/types.js";
import { copyWorkspace } from "../helpers/cli.js";
import { cliEnv, freePort, httpGet, isAlive, Pids, ROOT, runCli, waitFor } from "../supervisor/helpers.js";

const CLI = join(ROOT, "bin/tradeops.js");
const SECRET = `spare-control-${process.pid}-${Date.now()}`;
const pids = new Pids();
const open: Supervisor[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.close({ stopServices: true });
  pids.killAll();
});

/** The desk with argo's start command running this checkout's CLI, and a warm spare. */
function desk(): string {
  const ws = copyWorkspace();
  const manifest = join(ws, "tradeops.yaml");
  const text = readFileSync(manifest, "utf8")
    .replace("start: tradeops serve argo", `start: node ${CLI} --workspace ${ws} serve argo`)
    .replace("health: { path: /health, detailedPath:", "health: { warmSpare: true, path: /health, detailedPath:");
  expect(text).toContain("warmSpare: true");
  writeFileSync(manifest, text);
  return ws;
}

async function supervise(ws: string) {
  const stateDir = join(ws, ".tradeops/development/supervisor");
  const env = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    NO_COLOR: "1",
    ARGO_CONTROL_TOKEN: SECRET,
    // the executor lease in a file (the desk's simulated broker needs none); a killed holder's lapses quickly
    TRADEOPS_LEASE_DIR: join(ws, "lease"),
    TRADEOPS_LEASE_TTL_MS: "1500",
  };
  const supervisor = new Supervisor({
    workspaceRoot: ws,
    environment: "development",
    stateDir,
    env,
    stopGraceMs: 5000,
    onChange: (_name, change) => pids.add(change.pid),
  });
  open.push(supervisor);
  await supervisor.open();
  const argo = () => supervisor.status().instances.find((i) => i.name === "argo") as InstanceStatus;
  const port = await freePort();
  await supervisor.start({ project: "argo", port, orders: true }, env);
  await supervisor.waitRunning("argo", 40_000);
  const readySpare = (not?: number) =>
    waitFor(
      "a ready warm spare",
      () => {
        const spare = argo().spare;
        if (spare) pids.add(spare.pid);
        return spare?.state === "ready" && spare.pid !== not ? spare : undefined;
      },
      40_000,
      50,
    );
  return { supervisor, argo, port, stateDir, readySpare };
}

/** The holder named in argo's file lease (undefined before anyone took it). */
function leaseHolder(ws: string): string | undefined {
  const dir = join(ws, "lease");
  if (!existsSync(dir)) return undefined;
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), "utf8");
    const match = /"holder"\s*:\s*"([^"]+)"/.exec(text);
    if (match) return match[1];
  }
  return undefined;
}

/** What a process has open: files by path, and whether it has any socket. */
function openFiles(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

/** Every file the supervisor wrote (logs, events, state), as one text. */
function everythingWritten(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return out.join("\n");
}

describe("warm spare", () => {
  it("a crash hands over to the spare, which takes the lease only then; a new spare follows; stop leaves nothing", async () => {
    const ws = desk();
    const { supervisor, argo, port, stateDir, readySpare } = await supervise(ws);
    const active = argo().pid!;
    const spare = await readySpare();
    expect(spare.pid).not.toBe(active);
    // standing by: the active process holds the lease; the spare has nothing open but its logs and its IPC channel
    // (no port, no signal store, no lease)
    await waitFor("the active process holding the lease", () => leaseHolder(ws) === `local:${active}`, 20_000);
    const files = openFiles(spare.pid);
    expect(files.filter((f) => (f.startsWith(ws) && !f.endsWith(".log")) || f.endsWith(".db"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("socket:")).length).toBeLessThanOrEqual(1);

    process.kill(active, "SIGKILL");
    const after = await waitFor("the spare serving", async () => {
      const i = argo();
      return i.pid === spare.pid && (await httpGet(port, "/health")).status === 200 ? i : undefined;
    });
    expect(after.lastExit).toMatchObject({ signal: "SIGKILL" });
    expect(isAlive(active)).toBe(false);
    // the lease through the normal path: once the killed holder's lapses, the former spare holds it
    await waitFor("the former spare holding the lease", () => leaseHolder(ws) === `local:${spare.pid}`, 20_000);
    await supervisor.waitRunning("argo", 40_000);
    const next = await readySpare(spare.pid);
    expect(next.pid).not.toBe(spare.pid);

    await supervisor.stop({ project: "argo" });
    const marker = supervisorMarker(stateDir, "argo");
    expect(findProcessesWithEnv(SUPERVISOR_MARKER, marker)).toEqual([]);
    expect(argo()).toMatchObject({ state: "stopped", pid: null, spare: null });
    for (const pid of [active, spare.pid, next.pid]) expect(isAlive(pid)).toBe(false);

    const logged = everythingWritten(stateDir) + JSON.stringify(supervisor.status());
    expect(logged).toContain(`spare pid ${spare.pid} takes over`);
    expect(logged).not.toContain(SECRET);
  }, 150_000);

  it("after a config change the spare is never used: a fresh process starts and the spare is replaced", async () => {
    const ws = desk();
    const { argo, port, readySpare } = await supervise(ws);
    const active = argo().pid!;
    const spare = await readySpare();
    const config = join(ws, "argo/config/development.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("max_trade_usd: 1000", "max_trade_usd: 1500"));

    process.kill(active, "SIGKILL");
    const fresh = await waitFor("a fresh process serving", async () => {
      const i = argo();
      return i.pid && i.pid !== active && (await httpGet(port, "/health")).status === 200 ? i : undefined;
    });
    pids.add(fresh.pid);
    expect(fresh.pid).not.toBe(spare.pid);
    await waitFor("the stale spare gone", () => !isAlive(spare.pid));
    expect(readFileSync(`/proc/${fresh.pid}/environ`, "utf8")).toMatch(/MAX_TRADE_USD=1500\0/);
    const replaced = await readySpare(spare.pid);
    expect(replaced.fingerprint).not.toBe(spare.fingerprint);
    expect(readFileSync(`/proc/${replaced.pid}/environ`, "utf8")).toMatch(/MAX_TRADE_USD=1500\0/);
  }, 150_000);

  it("tradeops status shows the spare (text and --json); tradeops stop stops it with the service", async () => {
    const ws = desk();
    const port = await freePort();
    const env = await cliEnv({ ARGO_CONTROL_TOKEN: SECRET });
    const cli = (...args: string[]) => runCli(["--workspace", ws, ...args], env, ws);
    try {
      const started = await cli("start", "argo", "--port", String(port), "--wait-healthy", "40");
      expect(started.code, started.stderr).toBe(0);
      const spare = await waitFor(
        "a ready spare in status --json",
        async () => {
          const { stdout } = await cli("status", "argo", "--json");
          const one = (JSON.parse(stdout) as { instances: InstanceStatus[] }).instances[0];
          pids.add(one?.pid, one?.spare?.pid);
          return one?.spare?.state === "ready" ? one.spare : undefined;
        },
        40_000,
        200,
      );
      expect(spare.fingerprint).toMatch(/^[0-9a-f]{12}$/);
      const text = await cli("status", "argo");
      expect(text.stdout).toContain(`warm spare pid ${spare.pid}: ready since`);
      const stopped = await cli("stop", "argo");
      expect(stopped.code, stopped.stderr).toBe(0);
      await waitFor("the spare gone", () => !isAlive(spare.pid));
      const after = JSON.parse((await cli("status", "argo", "--json")).stdout) as { instances: InstanceStatus[] };
      expect(after.instances[0]).toMatchObject({ state: "stopped", spare: null });
      expect(JSON.stringify([started, text, stopped, after])).not.toContain(SECRET);
    } finally {
      await cli("supervisor", "stop");
    }
  }, 150_000);
});
