/**
 * Workers that send orders deploy "stop old → start new" under the executor lease: the old runner has exited
 * before the new one starts, so two never run (never two senders), and the lease follows the new release, and
 * back on a rollback. A worker's check command or, without checks, its staying alive decides its start. A tick
 * collector under the supervisor runner keeps its rows the same way as with the direct one.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { spawnCli } from "../helpers/deploy-child.js";
import { createShop, type Shop, TICK_COLLECTOR } from "../helpers/portless-shop.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
let shop: Shop | undefined;
afterEach(async () => {
  for (const color of ["blue", "green"]) {
    if (!shop) break;
    const state = join(shop.target("app"), "shared/supervisor", color);
    await cli(["supervisor", "stop", "--env", "staging"], {
      cwd: shop.root,
      env: { ...shop.env, TRADEOPS_STATE_DIR: state },
    });
  }
  shop?.cleanup();
  shop = undefined;
});

// a strategy runner as the shops write them: no port; it records when it starts and when it exits
const RUNNER = `import os, signal, sys, time
from pathlib import Path
data = Path("data"); data.mkdir(exist_ok=True)
release = os.environ.get("TRADEOPS_RELEASE", "?")
def event(what):
    with open(data / "events.log", "a") as f:
        f.write(f"{what} {release}\\n")
def stop(*_):
    event("stop"); sys.exit(0)
signal.signal(signal.SIGTERM, stop)
event("start")
while True:
    (data / "heartbeat").touch()
    time.sleep(0.05)
`;

function shopWith(project: string[], files: Record<string, string>, persist = "persist: [data/]"): Shop {
  return createShop(
    (targetOf) =>
      [
        "name: runners",
        "environments:",
        "  detect: { default: staging }",
        "  staging: { signals: { store: none, required: false } }",
        "projects:",
        ...project,
        "targets:",
        "  staging:",
        `    app: { hosts: [local], path: ${targetOf("app")}, ${persist} }`,
        "policies:",
        "  staging: { healthLevel: 1, monitorSeconds: 1 }",
        "",
      ].join("\n"),
    files,
  );
}

const holder = (target: string) =>
  JSON.parse(readFileSync(join(target, "shared/lease/app.default.lease.json"), "utf8")).holder as string;

describe("workers that send orders", () => {
  it("stop the old runner before the new one starts, and the lease follows", async () => {
    shop = shopWith(
      [
        "  app:",
        "    path: bear_trap",
        "    kind: worker",
        "    sendsOrders: true",
        "    commands: { start: python3 runner.py }",
        "    health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 2, intervalSeconds: 1 }",
      ],
      { "bear_trap/runner.py": RUNNER },
    );
    const run = (...args: string[]) => cli(args, { cwd: shop!.root, env: shop!.env });
    const target = shop.target("app");
    const plan = await run("deploy", "app", "to", "staging", "--dry-run");
    expect(plan.stdout).toContain("steps: upload → handoff → start → monitor → finish");
    const first = await run("deploy", "app", "to", "staging", "--json");
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout).records[0].release as string;
    expect(holder(target)).toBe(r1);

    shop.commit("v2", { "bear_trap/VERSION": "2\n" });
    const second = await run("deploy", "app", "to", "staging", "--json");
    expect(second.code, second.stderr).toBe(0);
    const record = JSON.parse(second.stdout).records[0];
    expect(record.steps.map((s: { step: string }) => s.step)).toEqual(["upload", "handoff", "start", "finish"]);
    expect(record.orderGapMs).toBeGreaterThan(0);
    expect(holder(target)).toBe(record.release);

    const back = await run("rollback", "app", "--env", "staging");
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(holder(target)).toBe(r1);
    const events = readFileSync(join(target, "shared/persist/data/events.log"), "utf8").trim().split("\n");
    expect(events).toEqual([
      `start ${r1}`,
      `stop ${r1}`,
      `start ${record.release}`,
      `stop ${record.release}`,
      `start ${r1}`,
    ]);
  }, 60_000);

  it("a deploy killed between stopping the old runner and starting the new one is recovered by the next", async () => {
    shop = shopWith(
      [
        "  app:",
        "    path: bear_trap",
        "    kind: worker",
        "    sendsOrders: true",
        "    commands: { start: python3 runner.py }",
        "    health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 2, intervalSeconds: 1 }",
      ],
      { "bear_trap/runner.py": RUNNER },
    );
    const run = (...args: string[]) => cli(args, { cwd: shop!.root, env: shop!.env });
    const target = shop.target("app");
    const first = await run("deploy", "app", "to", "staging", "--json");
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout).records[0].release as string;
    shop.commit("v2", { "bear_trap/VERSION": "2\n" });
    const child = spawnCli(["deploy", "app", "to", "staging"], { cwd: shop.root, env: shop.env });
    await child.waitFor(/app@local handoff \(/);
    await child.kill();
    shop.commit("v3", { "bear_trap/VERSION": "3\n" });
    const third = await run("deploy", "app", "to", "staging", "--json");
    expect(third.code, third.stderr).toBe(0);
    const history = readFileSync(join(target, "shared/history.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const recovery = history.find((r) => r.kind === "recovery");
    expect(recovery?.reason).toContain(`returned to ${r1}`);
    const r3 = JSON.parse(third.stdout).records[0].release as string;
    expect(holder(target)).toBe(r3);
    const events = readFileSync(join(target, "shared/persist/data/events.log"), "utf8").trim().split("\n");
    // strictly alternating: never two runners at once
    expect(events.map((e) => e.split(" ")[0])).toEqual(events.map((_, i) => (i % 2 === 0 ? "start" : "stop")));
    expect(events.at(-1)).toBe(`start ${r3}`);
  }, 60_000);

  it("are judged by their check command, or by staying alive when they have neither check", async () => {
    shop = shopWith(
      [
        "  app:",
        "    path: collector",
        "    kind: worker",
        "    commands: { start: python3 collector.py }",
        "    health: { command: test -f data/heartbeat, timeoutSeconds: 2 }",
      ],
      { "collector/collector.py": TICK_COLLECTOR },
    );
    const run = (...args: string[]) => cli(args, { cwd: shop!.root, env: shop!.env });
    const first = await run("deploy", "app", "to", "staging");
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toMatch(/app@local start \([\d.]+ s\): blue, process \+ command 2\/2/);
    // without a check, a release that exits a moment after starting never counts as started
    shop.commit("no check; v2 exits at once", {
      "tradeops.yaml": readFileSync(join(shop.root, "tradeops.yaml"), "utf8").replace(
        "    health: { command: test -f data/heartbeat, timeoutSeconds: 2 }\n",
        "",
      ),
      "collector/collector.py": "import time\ntime.sleep(0.5)\n",
    });
    const second = await run("deploy", "app", "to", "staging");
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/exited during start/);
    const state = JSON.parse(readFileSync(join(shop.target("app"), "shared/state.json"), "utf8"));
    expect(state.active).toBe("blue");
  }, 60_000);

  it("a tick collector under the supervisor runner deploys twice and rolls back, its rows kept", async () => {
    shop = shopWith(
      [
        "  app:",
        "    path: collector",
        "    kind: worker",
        "    commands: { start: python3 collector.py }",
        "    health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 2, intervalSeconds: 1 }",
      ],
      { "collector/collector.py": TICK_COLLECTOR },
    );
    const env = { ...shop.env, TRADEOPS_SUPERVISOR_ENTRY: BIN };
    const run = (...args: string[]) => cli(args, { cwd: shop!.root, env });
    const target = shop.target("app");
    const count = () =>
      Number(
        execFileSync("python3", [
          "-c",
          "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from ticks').fetchone()[0])",
          join(target, "shared/persist/data/ticks.sqlite"),
        ]),
      );
    const first = await run("deploy", "app", "to", "staging", "--runner", "supervisor");
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const c1 = count();
    expect(existsSync(join(target, "shared/supervisor/blue/supervisor.pid"))).toBe(true);
    shop.commit("v2", { "collector/VERSION": "2\n" });
    const second = await run("deploy", "app", "to", "staging", "--runner", "supervisor");
    expect(second.code, second.stderr + second.stdout).toBe(0);
    const c2 = count();
    expect(c2).toBeGreaterThan(c1);
    const back = await run("rollback", "app", "staging", "--runner", "supervisor");
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(count()).toBeGreaterThan(c2);
  }, 60_000);
});
