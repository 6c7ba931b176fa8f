/**
 * `tradeops start|stop|status|logs` through the background supervisor, as real processes: started on demand
 * and only once, idempotent starts, socket permissions, `--wait-healthy`, and a supervisor SIGKILLed and
 * replaced by one that adopts the running services without starting a second copy.
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SUPERVISOR_MARKER, supervisorMarker } from "../../src/supervisor/command.js";
import { findProcessesWithEnv } from "../../src/supervisor/process-info.js";
import { copyWorkspace } from "../helpers/cli.js";
import {
  cliEnv,
  copiesOf,
  freePort,
  httpGet,
  isAlive,
  makeWorkspace,
  Pids,
  privateCli,
  runCli,
  serviceCommand,
  waitFor,
} from "../supervisor/helpers.js";

const pids = new Pids();
let stateDirs: string[] = [];

beforeAll(async () => {
  await privateCli();
}, 60_000);

afterEach(() => {
  // every supervisor these tests started, then every service it ran
  for (const dir of stateDirs) {
    try {
      pids.add(Number(readFileSync(join(dir, "supervisor.pid"), "utf8")));
    } catch {
      // none
    }
    for (const pid of findProcessesWithEnv("TRADEOPS_STATE_DIR", dir)) pids.add(pid);
    for (const name of safeList(join(dir, "pids"))) pids.add(Number(readFileSync(join(dir, "pids", name), "utf8")));
    const state = safeState(dir);
    for (const i of state?.instances ?? []) pids.add(i.pid);
  }
  stateDirs = [];
  pids.killAll();
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeState(dir: string): { instances: { pid?: number }[] } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** Supervisors running for a state directory (the daemon carries TRADEOPS_STATE_DIR; services do not). */
function supervisorsOf(stateDir: string): number[] {
  return findProcessesWithEnv("TRADEOPS_STATE_DIR", stateDir).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("supervisor\0run"),
  );
}

async function tradeops(workspace: string, args: string[], extra: Record<string, string> = {}) {
  return runCli(["--workspace", workspace, ...args], await cliEnv(extra));
}

describe("the background supervisor", () => {
  it("is started on demand and only once; start is idempotent; status, logs and stop work through it", async () => {
    const ws = copyWorkspace();
    const stateDir = join(ws, ".tradeops/development/supervisor");
    stateDirs.push(stateDir);
    const port = String(await freePort());
    // two operators at once: one supervisor, one service
    const [a, b] = await Promise.all([
      tradeops(ws, ["start", "alpine-backend", "--port", port, "--wait-healthy", "15"]),
      tradeops(ws, ["start", "alpine-backend", "--port", port, "--wait-healthy", "15"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(`${a.stdout}${b.stdout}`).toContain("alpine-backend is healthy");
    expect(supervisorsOf(stateDir)).toHaveLength(1);
    // this supervisor's alpine-backend (other tests run the desk's alpine-backend at the same time)
    expect(findProcessesWithEnv(SUPERVISOR_MARKER, supervisorMarker(stateDir, "alpine-backend"))).toHaveLength(1);
    // access control: the socket is its owner's only
    expect(statSync(join(stateDir, "supervisor.sock")).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);

    const status = await tradeops(ws, ["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const { supervisor, instances } = JSON.parse(status.stdout);
    expect(supervisor).toMatchObject({ environment: "development", stateDir });
    expect(instances).toHaveLength(1);
    const [instance] = instances;
    expect(instance).toMatchObject({
      name: "alpine-backend",
      project: "alpine-backend",
      color: null,
      release: null,
      port: Number(port),
      state: "running",
      restarts: 0,
      lastExit: null,
      health: { level1: { status: "healthy" } },
    });
    expect(typeof instance.uptimeSeconds).toBe("number");
    expect(isAlive(instance.pid)).toBe(true);
    expect(["healthy", "unknown"]).toContain(instance.health.level2.status);

    const again = await tradeops(ws, ["start", "alpine-backend", "--port", port]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`alpine-backend is already running (pid ${instance.pid}, port ${port})`);
    const text = await tradeops(ws, ["status"]);
    expect(text.stdout).toMatch(new RegExp(`alpine-backend\\s+running\\s+${instance.pid}\\s+${port}`));

    const logs = await tradeops(ws, ["logs", "alpine-backend", "--lines", "5"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('{"event":"listening"');

    const stop = await tradeops(ws, ["stop", "alpine-backend", "--grace", "5"]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain("alpine-backend stopped (exit code 0)");
    expect(isAlive(instance.pid)).toBe(false);
    const daemon = supervisorsOf(stateDir)[0]!;
    const down = await tradeops(ws, ["supervisor", "stop"]);
    expect(down.code).toBe(0);
    expect(isAlive(daemon)).toBe(false);
    expect((await tradeops(ws, ["status"])).stdout).toContain("No supervisor runs for desk (development)");
  });

  it("after a SIGKILL, the next supervisor adopts the running services: no second copy, crashes still handled", async () => {
    const [pw, pb] = [await freePort(), await freePort()];
    const ws = makeWorkspace({
      web: { start: serviceCommand(), port: pw },
      bot: { start: serviceCommand(), port: pb, sendsOrders: true, kind: "strategy" },
    });
    const stateDir = join(ws, ".tradeops/development/supervisor");
    stateDirs.push(stateDir);
    const started = await tradeops(ws, ["start", "all", "--wait-healthy", "15"]);
    expect(started.code, started.stderr).toBe(0);
    const before = JSON.parse((await tradeops(ws, ["status", "--json"])).stdout);
    const pidOf = (s: { instances: { name: string; pid: number }[] }, n: string) =>
      s.instances.find((i) => i.name === n)!.pid;
    const first = supervisorsOf(stateDir);
    expect(first).toHaveLength(1);
    process.kill(first[0]!, "SIGKILL");
    await waitFor("the supervisor gone", () => !isAlive(first[0]!));
    expect(isAlive(pidOf(before, "web")) && isAlive(pidOf(before, "bot"))).toBe(true);

    // any command brings a supervisor back; it adopts instead of starting again
    const after = JSON.parse((await tradeops(ws, ["status", "--json"])).stdout);
    expect(after.supervisor.pid).not.toBe(first[0]);
    for (const name of ["web", "bot"]) {
      const i = after.instances.find((x: { name: string }) => x.name === name);
      expect(i).toMatchObject({ pid: pidOf(before, name), adopted: true });
      expect(["running", "starting"]).toContain(i.state);
    }
    const again = await tradeops(ws, ["start", "bot"]);
    expect(again.stdout).toContain(`bot is already`);
    expect(copiesOf(stateDir, "bot")).toEqual([pidOf(before, "bot")]);
    expect(copiesOf(stateDir, "web")).toEqual([pidOf(before, "web")]);
    expect(supervisorsOf(stateDir)).toEqual([after.supervisor.pid]);

    // the adopted service is still watched: a crash is noticed and repaired
    process.kill(pidOf(before, "web"), "SIGKILL");
    await waitFor(
      "web restarted by the new supervisor",
      async () => {
        const s = JSON.parse((await tradeops(ws, ["status", "web", "--json"])).stdout);
        const web = s.instances[0];
        return web.state === "running" && web.pid !== pidOf(before, "web") ? web : undefined;
      },
      15_000,
      100,
    );
    expect(JSON.parse((await httpGet(pw, "/health")).body).status).toBe("healthy");
  });

  it("--wait-healthy exits 69 when the service does not answer in time; a config error exits 78 and is recorded", async () => {
    const ws = makeWorkspace({
      mute: { start: serviceCommand("--no-listen"), port: await freePort() },
      needy: {
        start: serviceCommand(),
        port: await freePort(),
        raw: ["secrets:", "  TOKEN:", "    development: [env:MISSING_TOKEN]"],
      },
    });
    stateDirs.push(join(ws, ".tradeops/development/supervisor"));
    const mute = await tradeops(ws, ["start", "mute", "--wait-healthy", "1"]);
    expect(mute.code).toBe(69);
    // its port is free when picked, but another test file may start a server there meanwhile: what the last probe
    // met (refused, or someone else's 404) is not the point, the state and the deadline are
    expect(mute.stderr).toMatch(/mute did not answer health within 1 s \(state starting, last probe [^)]+\)/);
    const needy = await tradeops(ws, ["start", "needy"]);
    expect(needy.code).toBe(78);
    expect(needy.stderr).toContain("TOKEN");
    const status = JSON.parse((await tradeops(ws, ["status", "needy", "--json"])).stdout);
    expect(status.instances[0]).toMatchObject({
      state: "failed",
      pid: null,
      lastFailure: { reason: expect.stringContaining("TOKEN") },
    });
  });
});
