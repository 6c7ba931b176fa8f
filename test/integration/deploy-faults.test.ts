/**
 * The fault matrix. A new release that crashes at start, hangs, reports unhealthy, is slow, or fails after the
 * switch is rolled back automatically and the deploy exits 1. A deploy process killed after the upload, after the
 * start, during the switch or during the monitoring window leaves the active release serving and the proxy on one
 * colour; the next deploy finds the stale lock, takes it over and recovers. Load runs throughout: no request fails.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { spawnCli } from "../helpers/deploy-child.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";
import { type Load, startLoad } from "../helpers/load.js";
import { CRASHES, DEGRADES, HANGS, HEALTHY, SLOW, UNHEALTHY } from "../helpers/variants.js";

let desk: DeployDesk;
let load: Load;
let n = 1;
beforeAll(async () => {
  desk = await createDeployDesk({ stagingPolicy: [] });
  desk.editManifest("monitorSeconds: 1", "monitorSeconds: 3");
  // the faults are those of a release started directly (its pid in shared/runner/): the target records that runner
  expect((await run("deploy", "alpine-backend", "to", "staging", "--runner", "direct")).code).toBe(0);
  load = startLoad(desk.port, "/version", { clients: 4, maxSeconds: 600 });
}, 60_000);
afterAll(async () => {
  const report = load ? await load.stop() : undefined;
  await desk?.cleanup();
  expect(report?.errors).toEqual([]);
  expect(report?.failed).toBe(0);
});

const SKIP = ["--skip-gate", "3", "--reason", "fault drill"];
const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const version = async () =>
  ((await fetch(`http://127.0.0.1:${desk.port}/version`).then((r) => r.json())) as { version: string }).version;
const serving = () => desk.readJson<{ release: string; color: string }>("shared/proxy/route.json");
/** a new label, and optionally a server variant, committed */
function release(server = HEALTHY): string {
  const label = `v${++n}`;
  const file = join(desk.root, "alpine-backend/config/base.yaml");
  desk.commit(label, {
    "alpine-backend/config/base.yaml": readFileSync(file, "utf8").replace(
      /version_label: \S+/,
      `version_label: ${label}`,
    ),
    "alpine-backend/server.mjs": server,
  });
  return label;
}
/** the proxy's live route equals the route it persisted, and a running colour answers it */
async function proxyConsistent(): Promise<{ color: string; release: string }> {
  const program = join(desk.target, "shared/proxy/front-proxy.mjs");
  const live = JSON.parse(
    execFileSync(process.execPath, [program, "ctl", join(desk.target, "shared/proxy"), "status"]).toString(),
  ).route;
  expect(live).toEqual(serving());
  const pid = desk.readJson<{ pid: number; release: string }>(`shared/runner/${live.color}.json`);
  expect(pid?.release).toBe(live.release);
  expect(() => process.kill(pid!.pid, 0)).not.toThrow();
  return live;
}

describe("a bad release is rolled back automatically", () => {
  const cases: [string, string, RegExp][] = [
    ["crashes at start", CRASHES, /exited during start \(its log: boom: cannot read config\)/],
    [
      "hangs",
      HANGS,
      /did not pass level 2 health within 2 s \(alpine-backend health: unhealthy \((ECONNREFUSED|UNREACHABLE)\)/,
    ],
    [
      "reports unhealthy",
      UNHEALTHY,
      /did not pass level 2 health within 2 s \(alpine-backend detailed: unhealthy \(UNHEALTHY\)\)/,
    ],
    ["is slow", SLOW, /did not pass level 2 health within 2 s \(alpine-backend health: unhealthy \(TIMEOUT\)/],
  ];
  for (const [what, server, reason] of cases) {
    it(`a release that ${what}: the old one keeps serving`, async () => {
      const before = await version();
      const active = serving()!;
      release(server);
      const result = await run("deploy", "alpine-backend", "to", "staging", "--start-timeout", "2", ...SKIP);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("failed before the switch (traffic never moved)");
      expect(result.stderr).toMatch(reason);
      expect(await version()).toBe(before);
      expect(serving()).toEqual(active);
      await proxyConsistent();
      const last = JSON.parse((await run("history", "--env", "staging", "--json", "--limit", "1")).stdout).records[0];
      expect(last).toMatchObject({ outcome: "failed", rollbackReason: expect.stringMatching(reason) });
    }, 60_000);
  }

  it("a release that fails in the monitoring window: traffic returns to the warm old colour", async () => {
    const before = await version();
    const old = serving()!;
    release(DEGRADES(2000));
    const result = await run("deploy", "alpine-backend", "to", "staging", "--start-timeout", "10", ...SKIP);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /failed and was rolled back: level 2 health failed [\d.]+ s after the switch on local/,
    );
    expect(result.stdout).toMatch(/✔ alpine-backend@local rollback .*: traffic back on \S+ \((blue|green), warm\)/);
    expect(await version()).toBe(before);
    expect((await proxyConsistent()).release).toBe(old.release);
    const last = JSON.parse((await run("history", "--env", "staging", "--json", "--limit", "1")).stdout).records[0];
    expect(last).toMatchObject({ outcome: "rolled-back", health: { verdict: "unhealthy" } });
    expect(last.gates.find((g: { gate: number }) => g.gate === 11).status).toBe("fail");
  }, 60_000);
});

describe("a deploy killed at every step", () => {
  const points: [string, RegExp][] = [
    ["after the upload", /^✔ alpine-backend@local upload/],
    ["after the start", /^✔ alpine-backend@local start/],
    ["during the switch", /^▶ alpine-backend@local switch/],
    ["during the monitoring window", /^✔ alpine-backend@local switch/],
  ];
  for (const [when, line] of points) {
    it(`killed ${when}: the active release keeps serving and the next deploy recovers`, async () => {
      const previous = await version();
      const label = release();
      const child = spawnCli(["deploy", "alpine-backend", "to", "staging", ...SKIP], { cwd: desk.root, env: desk.env });
      await child.waitFor(line);
      await child.kill();
      // whatever the moment, exactly one colour serves, the one the proxy persisted
      const live = await proxyConsistent();
      const served = await version();
      if (when.startsWith("after")) expect(served).toBe(previous);
      else if (when === "during the switch") expect([previous, label]).toContain(served);
      else expect(served).toBe(label);
      await load.answered(50);
      const lock = JSON.parse((await run("lock", "status", "alpine-backend", "--env", "staging", "--json")).stdout)
        .locks[0];
      expect(lock).toMatchObject({ held: true, stale: true, staleReason: expect.stringContaining("is gone") });
      if (when === "during the monitoring window") await dryRunForecastsRecovery(live);

      const next = await run("deploy", "alpine-backend", "to", "staging", ...SKIP);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toMatch(/the deploy lock of alpine-backend on local was stale .*; taken over/);
      expect(next.stderr).toContain("recovered alpine-backend on local");
      expect(await version()).toBe(label);
      await proxyConsistent();
      const records = JSON.parse((await run("history", "--env", "staging", "--json", "--limit", "2")).stdout).records;
      expect(records.map((r: { kind: string }) => r.kind)).toEqual(["deploy", "recovery"]);
      expect(records[1].reason).toMatch(/died during (upload|install|migrate|start|switch|monitor)/);
      if (when === "during the monitoring window") {
        // it took traffic but never passed gate 11: the recovery returned to the release it replaced
        expect(records[1]).toMatchObject({ outcome: "rolled-back" });
        expect(live.release).toBe(records[1].previous);
      }
    }, 90_000);
  }
});

/**
 * `rollback --dry-run` on the target the killed deploy left: it names that deploy and the recovery (traffic back to
 * the release it replaced), plans from there, and changes nothing — records, route and lock as they were.
 */
async function dryRunForecastsRecovery(live: { color: string; release: string }): Promise<void> {
  const files = ["shared/state.json", "shared/releases.json", "shared/history.jsonl", "shared/proxy/route.json"];
  const bytes = () => files.map((f) => readFileSync(join(desk.target, f), "utf8"));
  const before = bytes();
  const state = desk.readJson<{ inProgress: { id: string; step: string; previousRelease: string } }>(
    "shared/state.json",
  )!;
  const dry = await run("rollback", "alpine-backend", "staging", "--dry-run", "--json");
  expect(dry.code, dry.stderr).toBe(0);
  const { plan } = JSON.parse(dry.stdout);
  expect(plan.recoveries).toEqual([
    expect.objectContaining({
      inProgress: expect.objectContaining({ id: state.inProgress.id, kind: "deploy", step: state.inProgress.step }),
      outcome: "rolled-back",
    }),
  ]);
  expect(plan.recoveries[0].actions[0]).toContain(
    `traffic returns from ${live.release} (${live.color}) to ${state.inProgress.previousRelease}`,
  );
  expect(plan.moves[0].from.release).toBe(state.inProgress.previousRelease);
  expect(bytes()).toEqual(before);
  const text = await run("rollback", "alpine-backend", "staging", "--dry-run");
  expect(text.stdout).toContain(`first, recovery of alpine-backend on local: the deploy ${state.inProgress.id}`);
}
