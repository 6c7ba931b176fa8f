/**
 * A fresh workspace with a Python tick collector (no port, SQLite rows under a persistent data/, a heartbeat), and
 * the scenario the worker deploy tests run on a local and an SSH target: deployed twice (start new → heartbeat
 * since its start → stop old) and rolled back, its rows kept throughout; on the local target also a release whose
 * heartbeat never comes, refused while the old one keeps collecting.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { cli } from "./cli.js";
import { createShop, type Shop, TICK_COLLECTOR } from "./portless-shop.js";

export function collectorShop(host: string): Shop {
  return createShop(
    (targetOf) =>
      [
        "name: ticks",
        "environments:",
        "  detect: { default: staging }",
        "  staging: { signals: { store: none, required: false } }",
        "projects:",
        "  tick-collector:",
        "    path: collector",
        "    kind: worker",
        "    commands: { start: python3 collector.py }",
        "    health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 2, intervalSeconds: 1 }",
        "targets:",
        "  staging:",
        `    tick-collector: { hosts: [${host}], path: ${targetOf("tick-collector")}, persist: [data/] }`,
        "policies:",
        "  staging: { healthLevel: 1, monitorSeconds: 2 }",
        "",
      ].join("\n"),
    { "collector/collector.py": TICK_COLLECTOR },
  );
}

/** Rows in the shared SQLite file: how many, and the time of the first. */
function rows(target: string): { count: number; first: number } {
  const db = join(target, "shared/persist/data/ticks.sqlite");
  const out = execFileSync("python3", [
    "-c",
    "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(*c.execute('select count(*), min(at) from ticks').fetchone())",
    db,
  ])
    .toString()
    .trim()
    .split(" ");
  return { count: Number(out[0]), first: Number(out[1]) };
}

const pids = (target: string) =>
  ["blue", "green"].flatMap((color) => {
    try {
      return [JSON.parse(readFileSync(join(target, `shared/runner/${color}.json`), "utf8")).release as string];
    } catch {
      return [];
    }
  });

/** The whole scenario on one kind of host (`local`, or an SSH host with its client config). */
export async function collectorScenario(host: string, sshConfig?: string): Promise<void> {
  const shop = collectorShop(host);
  onTestFinished(() => shop.cleanup());
  const env = sshConfig ? { ...shop.env, TRADEOPS_SSH_CONFIG: sshConfig } : shop.env;
  const run = (...args: string[]) => cli(args, { cwd: shop.root, env });
  const target = shop.target("tick-collector");
  const plan = await run("deploy", "tick-collector", "to", "staging", "--dry-run");
  expect(plan.stdout).toContain("(worker, no port)");
  expect(plan.stdout).toContain("steps: upload → start → switch → monitor → finish");

  // the direct runner, whose files the scenario reads (recorded on the target: later deploys keep it)
  const first = await run("deploy", "tick-collector", "to", "staging", "--runner", "direct");
  expect(first.code, first.stderr + first.stdout).toBe(0);
  expect(first.stdout).toMatch(/gate 11 health after the switch: \d+ probes? at level 1, 100% passing/);
  const r1 = rows(target);
  expect(r1.count).toBeGreaterThan(0);
  // `tradeops health` asks the deployed worker's own checks on its host
  const health = await run("health", "tick-collector", "--env", "staging", "--json");
  expect(health.code, health.stderr).toBe(0);
  expect(JSON.parse(health.stdout).projects[0]).toMatchObject({
    project: "tick-collector",
    status: "healthy",
    checks: [{ name: "process" }, { name: "heartbeat" }],
  });

  shop.commit("v2", { "collector/VERSION": "2\n" });
  const second = await run("deploy", "tick-collector", "to", "staging", "--json");
  expect(second.code, second.stderr).toBe(0);
  const record = JSON.parse(second.stdout).records[0];
  expect(record.steps.map((s: { step: string }) => s.step)).toEqual(["upload", "start", "switch", "finish"]);
  expect(record.steps[2].detail).toContain(`${record.previous} stopped after ${record.release} passed`);
  // one collector runs: the new one
  expect(pids(target)).toEqual([record.release]);
  const r2 = rows(target);
  expect(r2.first).toBe(r1.first);
  expect(r2.count).toBeGreaterThan(r1.count);

  const releases = await run("releases", "tick-collector", "--env", "staging");
  expect(releases.stdout).toContain("worker: no port, no proxy");

  const back = await run("rollback", "tick-collector", "--env", "staging");
  expect(back.code, back.stderr + back.stdout).toBe(0);
  expect(back.stdout).toContain(`${record.release} → ${record.previous}`);
  expect(pids(target)).toEqual([record.previous]);
  const r3 = rows(target);
  expect(r3.first).toBe(r1.first);
  expect(r3.count).toBeGreaterThan(r2.count);

  if (sshConfig) return;
  // a release whose heartbeat never comes (it hangs before its loop) is stopped; the running one keeps collecting
  shop.commit("v3 hangs", {
    "collector/collector.py": `import time\nprint("stuck", flush=True)\ntime.sleep(600)\n`,
  });
  const stuck = await run("deploy", "tick-collector", "to", "staging", "--start-timeout", "4");
  expect(stuck.code).toBe(1);
  expect(stuck.stderr).toContain("heartbeat");
  expect(pids(target)).toEqual([record.previous]);
  const r4 = rows(target);
  await new Promise((r) => setTimeout(r, 300));
  expect(rows(target).count).toBeGreaterThan(r4.count);
}
