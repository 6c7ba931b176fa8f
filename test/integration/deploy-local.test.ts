/**
 * End to end on the example desk to its local staging target: blue/green across releases, the release records and
 * the history, keep-N pruning, `--dry-run`, and a rollback to the last known-good release (not merely the previous).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";
import { UNHEALTHY } from "../helpers/variants.js";

let desk: DeployDesk;
beforeAll(async () => {
  desk = await createDeployDesk();
  desk.editManifest("internalPorts: [", "keepReleases: 2, internalPorts: [");
});
afterAll(async () => {
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const version = async () =>
  ((await fetch(`http://127.0.0.1:${desk.port}/version`).then((r) => r.json())) as { version: string }).version;
const label = (v: string) => {
  const file = join(desk.root, "alpine-backend/config/base.yaml");
  return {
    "alpine-backend/config/base.yaml": readFileSync(file, "utf8").replace(/version_label: \S+/, `version_label: ${v}`),
  };
};

describe("deploy to a local target", () => {
  it("--dry-run runs the gates and prints the plan, and changes nothing", async () => {
    const result = await run("deploy", "alpine-backend", "--to", "stage", "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/plan \d{8}T\d{9}-[0-9a-f]{4}: deploy alpine-backend to staging at [0-9a-f]{7}/);
    expect(result.stdout).toContain("steps: upload → migrate → start → switch → monitor → finish");
    expect(result.stdout).toContain("✔ gate  7 environment validated");
    expect(existsSync(join(desk.target, "releases"))).toBe(false);
  });

  it("deploys into blue, then green, records every release, and keeps the env file private", async () => {
    const first = await run("deploy", "alpine-backend", "to", "staging");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/deployed alpine-backend \S+ to staging on local/);
    expect(await version()).toBe("v1");
    desk.commit("v2", label("v2"));
    const second = await run("deploy", "alpine-backend", "staging");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("✔ alpine-backend@local start");
    expect(second.stdout).toMatch(/switch \([\d.]+ s\): port \d+ → green, blue drained/);
    expect(await version()).toBe("v2");
    const releases = JSON.parse((await run("releases", "alpine-backend", "--env", "staging", "--json")).stdout)
      .hosts[0];
    expect(releases.active).toBe("green");
    expect(releases.releases.map((r: { status: string }) => r.status)).toEqual(["active", "inactive"]);
    expect(releases.releases[0]).toMatchObject({
      color: "green",
      goodAt: expect.any(String),
      files: 9,
      artifactHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const env = join(desk.target, "shared/env", `${releases.releases[0].id}.env`);
    expect(statSync(env).mode & 0o777).toBe(0o600);
    const history = JSON.parse((await run("history", "--env", "staging", "--json")).stdout).records;
    expect(history[0]).toMatchObject({
      kind: "deploy",
      outcome: "succeeded",
      who: "tester@test-host",
      configKeysChanged: ["http.version_label"],
      health: { level: 2, verdict: "healthy" },
      color: "green",
    });
    expect(history[0].gates.map((g: { gate: number }) => g.gate)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 11]);
    expect(history[0].gates.every((g: { durationMs: number }) => g.durationMs >= 0)).toBe(true);
    const text = await run("history", "--env", "staging");
    expect(text.stdout).toContain("config keys changed: http.version_label");
  }, 60_000);

  it("a crashed front proxy comes back by itself, on the same colour", async () => {
    const route = desk.readJson<{ color: string; release: string }>("shared/proxy/route.json");
    const before = desk.readJson<{ pid: number }>("shared/proxy/proxy.json")!.pid;
    process.kill(before, "SIGKILL");
    const started = Date.now();
    await expect
      .poll(
        async () =>
          fetch(`http://127.0.0.1:${desk.port}/version`).then(
            (r) => r.json(),
            () => undefined,
          ),
        { timeout: 5000, interval: 50 },
      )
      .toEqual({ version: "v2" });
    expect(Date.now() - started).toBeLessThan(3000);
    // the killed keeper's worker kept serving on the socket and started the next keeper, which took over
    await expect
      .poll(() => desk.readJson<{ pid: number }>("shared/proxy/proxy.json")?.pid, { timeout: 5000, interval: 50 })
      .not.toBe(before);
    expect(desk.readJson("shared/proxy/route.json")).toEqual(route);
  });

  it("keeps N releases and rolls back to the last known-good one, skipping a failed release", async () => {
    desk.commit("v3", label("v3"));
    expect((await run("deploy", "alpine-backend", "to", "staging")).code).toBe(0);
    expect(readdirSync(join(desk.target, "releases")).length).toBe(2);
    desk.commit("v4 broken", { ...label("v4"), "alpine-backend/server.mjs": UNHEALTHY });
    expect((await run("deploy", "alpine-backend", "to", "staging", "--start-timeout", "2")).code).toBe(1);
    expect(await version()).toBe("v3");
    // the plan first: back to v2 (known-good, not the failed v4), moving nothing
    const dry = await run("rollback", "alpine-backend", "--env", "staging", "--dry-run", "--json");
    expect(dry.code, dry.stderr).toBe(0);
    const { plan } = JSON.parse(dry.stdout);
    expect(plan.moves).toEqual([
      expect.objectContaining({ project: "alpine-backend", host: "local", warm: false, handoff: "none" }),
    ]);
    expect(await version()).toBe("v3");
    const back = await run("rollback", "alpine-backend", "--env", "staging");
    expect(back.code, back.stderr).toBe(0);
    expect(await version()).toBe("v2");
    const listing = (await run("releases", "alpine-backend", "staging")).stdout;
    expect(listing).toMatch(/active +(blue|green) .* known-good ← serving/);
    expect(listing).toMatch(/failed/);
    const again = await run("rollback", "alpine-backend", "staging", "--to", "nonexistent");
    expect(again.code).toBe(64);
    expect(again.stderr).toContain("Release nonexistent of alpine-backend is not on local.");
  }, 60_000);
});
