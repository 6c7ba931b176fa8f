/**
 * Workers under the supervisor: a Python tick collector without a port, judged by its heartbeat file (a hung one
 * is restarted, its SQLite rows stay), a worker judged by a command, and one judged by liveness alone.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Supervisor } from "../../src/supervisor/supervisor.js";
import type { InstanceStatus } from "../../src/supervisor/types.js";
import { makeWorkspace, Pids, serviceCommand, waitFor } from "../supervisor/helpers.js";

const COLLECTOR = join(import.meta.dirname, "../helpers/tick-collector.py");
const pids = new Pids();
const open: Supervisor[] = [];
const baseEnv = { PATH: process.env.PATH, HOME: tmpdir() };

afterEach(async () => {
  for (const s of open.splice(0)) await s.close({ stopServices: true });
  pids.killAll();
});

async function supervise(dir: string) {
  const supervisor = new Supervisor({
    workspaceRoot: dir,
    environment: "development",
    stateDir: join(dir, ".tradeops/development/supervisor"),
    env: baseEnv,
    stopGraceMs: 1000,
    onChange: (_name, change) => pids.add(change.pid),
  });
  open.push(supervisor);
  await supervisor.open();
  const one = (name: string) => supervisor.status().instances.find((i) => i.name === name) as InstanceStatus;
  return { supervisor, one };
}

describe("workers (no port)", () => {
  it("a tick collector is healthy by its heartbeat, restarted when it hangs, and keeps its rows", async () => {
    const dir = makeWorkspace({
      "tick-collector": {
        start: `python3 ${COLLECTOR}`,
        kind: "worker",
        sendsOrders: false,
        health: { intervalSeconds: 0.3, failuresBeforeRestart: 2, backoffSeconds: [0.3] },
        raw: [
          "health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 1, intervalSeconds: 0.3, timeoutSeconds: 0.5, failuresBeforeRestart: 2, backoffSeconds: [0.3], maxRestarts: 3 }",
        ],
      },
    });
    // makeWorkspace writes a health line of its own; the raw one (the heartbeat) is the one that counts
    const manifest = join(dir, "tradeops.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/^ {4}health: \{"intervalSeconds".*\n/m, ""));
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "tick-collector", orders: false }, baseEnv);
    const first = await supervisor.waitRunning("tick-collector", 15_000);
    expect(first.port).toBeNull();
    expect(first.health.level1.status).toBe("healthy");
    expect(first.health.level2.status).toBe("absent");
    // it hangs: alive, no heartbeat; the supervisor restarts it
    writeFileSync(join(dir, "tick-collector/data/pause"), "");
    const failed = await waitFor(
      "a restart after the heartbeat stopped",
      () => {
        const i = one("tick-collector");
        return i.restarts >= 1 ? i : undefined;
      },
      15_000,
    );
    expect(failed.lastFailure!.reason).toMatch(
      /^health: 2 failed probes of its heartbeat file in a row \(last: unhealthy: heartbeat [\d.]+ s old\)/,
    );
    rmSync(join(dir, "tick-collector/data/pause"));
    const again = await waitFor(
      "running again",
      () => {
        const i = one("tick-collector");
        return i.state === "running" && i.pid !== first.pid ? i : undefined;
      },
      15_000,
    );
    expect(again.health.level1.status).toBe("healthy");
    expect(existsSync(join(dir, "tick-collector/data/ticks.sqlite"))).toBe(true);
  }, 60_000);

  it("a worker judged by a command, and one by liveness alone", async () => {
    const dir = makeWorkspace({
      checked: { start: serviceCommand("--no-listen"), kind: "worker", sendsOrders: false },
      alive: { start: serviceCommand("--no-listen"), kind: "worker", sendsOrders: false },
    });
    const manifest = join(dir, "tradeops.yaml");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace(
        /( {2}checked:\n(?: {4}.*\n)*? {4}health: \{)/,
        '$1"command":"test -f ready",',
      ),
    );
    const { supervisor, one } = await supervise(dir);
    await supervisor.start({ project: "alive", orders: false }, baseEnv);
    expect((await supervisor.waitRunning("alive", 10_000)).health.level1.status).toBe("absent");
    await supervisor.start({ project: "checked", orders: false }, baseEnv);
    await new Promise((r) => setTimeout(r, 600));
    expect(one("checked").state).toBe("starting"); // the command fails until the file exists
    writeFileSync(join(dir, "checked/ready"), "");
    const running = await supervisor.waitRunning("checked", 10_000);
    expect(running.health.level1.status).toBe("healthy");
  }, 60_000);
});
