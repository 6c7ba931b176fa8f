/**
 * The gates and the policy through the CLI, on a git copy of the example desk: gate 8 names file and line of added
 * lines only; a shared change tests every project; a mixed commit fails gate 2; a local-only file or a dirty tree
 * refuses the artifact; the phrase and blocked days refuse with 77 before any target is touched.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/deploy/clock.js";
import { deploy } from "../../src/deploy/deploy.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, STAGING_SECRET } from "../helpers/deploy-desk.js";

let desk: DeployDesk;
afterEach(async () => {
  await desk?.cleanup();
});
const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const server = () => readFileSync(join(desk.root, "alpine-backend/server.mjs"), "utf8");

describe("gates", () => {
  beforeEach(async () => {
    desk = await createDeployDesk();
  });

  it("gate 8 fails on console.log, debugger, TODO and FIXME added in the diff, naming file and line", async () => {
    const lines = server().split("\n").length;
    desk.commit("debug leftovers", {
      "alpine-backend/server.mjs": `${server()}function unused() {\n  console.log("debug");\n  const x = 1; // TODO: remove\n  debugger;\n  // FIXME later\n  return x;\n}\n`,
    });
    const result = await run("gates", "alpine-backend", "--to", "staging", "--since", "HEAD~1");
    expect(result.code).toBe(1);
    const gate8 = result.stdout.split("\n").filter((l) => l.includes("alpine-backend/server.mjs:"));
    expect(gate8).toEqual([
      `     alpine-backend/server.mjs:${lines + 1}: matches /console\\.log/`,
      `     alpine-backend/server.mjs:${lines + 2}: matches /\\bTODO\\b/`,
      `     alpine-backend/server.mjs:${lines + 3}: matches /\\bdebugger\\b/`,
      `     alpine-backend/server.mjs:${lines + 4}: matches /\\bFIXME\\b/`,
    ]);
    expect(result.stdout).toMatch(/✘ gate {2}8 code quality: 4 lines hold refused patterns/);
    expect(result.stderr).toContain("1 gate failed: 8 (code quality)");
  }, 60_000);

  it("gate 8 on a first deploy scans every line of the artifact: the desk passes, an added console.log fails", async () => {
    const clean = await run("gates", "alpine-backend", "--to", "staging");
    expect(clean.stdout).toMatch(
      /✔ gate {2}8 code quality: alpine-backend: first deploy, every line of the artifact's \d+ files, alpine-frontend: first deploy, every line of its \d+ tracked files: clean/,
    );
    // a line already committed, not added by any diff: only the whole-artifact scan sees it
    const lines = server().split("\n").length;
    desk.commit("debug output", {
      "alpine-backend/server.mjs": `${server()}export function debug() {\n  console.log("debug");\n}\n`,
    });
    const result = await run("deploy", "alpine-backend", "to", "staging");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✘ gate {2}8 code quality: 1 line holds refused patterns/);
    expect(result.stdout).toContain(`alpine-backend/server.mjs:${lines + 1}: matches /console\\.log/`);
    // refused before anything shipped
    expect(existsSync(join(desk.target, "releases"))).toBe(false);
  }, 60_000);

  it("a change under the shared path runs every project's tests", async () => {
    desk.commit("shared tweak", {
      "packages/shared/index.mjs": `${readFileSync(join(desk.root, "packages/shared/index.mjs"), "utf8")}\n`,
    });
    const result = await run("gates", "alpine-backend", "--to", "staging", "--since", "HEAD~1", "--json");
    const report = JSON.parse(result.stdout);
    const gate1 = report.gates.find((g: { gate: number }) => g.gate === 1);
    expect(gate1.details.join("\n")).toContain(
      "shared path changed (packages/shared/index.mjs): every project is tested: alpine-backend, alpine-frontend, argo, shared, signal-lab",
    );
    const gate3 = report.gates.find((g: { gate: number }) => g.gate === 3);
    for (const project of ["alpine-backend", "argo", "shared", "signal-lab"])
      expect(JSON.stringify(gate3)).toContain(project);
  }, 90_000);

  it("gate 2 flags a commit that mixes unrelated projects", async () => {
    const sha = desk.commit("argo and alpine at once", {
      "alpine-backend/server.mjs": `${server()}\n`,
      "argo/config.example.yaml": `${readFileSync(join(desk.root, "argo/config.example.yaml"), "utf8")}\n`,
    });
    const result = await run("gates", "alpine-backend", "to", "staging", "--since", "HEAD~1");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✘ gate  2 verify scope: 1 commit mixes unrelated projects");
    expect(result.stdout).toContain(`${sha.slice(0, 7)} "argo and alpine at once" touches alpine-backend and argo`);
  }, 60_000);

  it("refuses an artifact holding a local-only file, names it, and ships nothing", async () => {
    desk.commit("oops", {
      "alpine-backend/.env": "ANALYTICS_API_KEY=9f8e7d6c5b4a39281706\n",
      "alpine-backend/cache.sqlite": "SQLite format 3",
      "alpine-backend/test/helper.mjs": "export {};\n",
    });
    const result = await run("deploy", "alpine-backend", "to", "staging");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "The artifact of alpine-backend holds 3 local-only files: alpine-backend/.env, alpine-backend/cache.sqlite, alpine-backend/test/helper.mjs.",
    );
    expect(result.stderr).toContain("alpine-backend/.env: an env file with values");
    expect(result.stderr).toContain("alpine-backend/cache.sqlite: a database file");
    expect(result.stderr).toContain("alpine-backend/test/helper.mjs: a test file (the policy excludes tests)");
    expect(result.stderr + result.stdout).not.toContain("9f8e7d6c5b4a39281706");
    expect(existsSync(join(desk.target, "releases"))).toBe(false);
  }, 60_000);

  it("refuses a dirty tree unless --allow-dirty, and records what shipped uncommitted", async () => {
    writeFileSync(join(desk.root, "alpine-backend/server.mjs"), server().replace('"v1"', '"v1-dirty"'));
    const refused = await run("deploy", "alpine-backend", "to", "staging");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("uncommitted changes that would ship: alpine-backend/server.mjs");
    const allowed = await run("deploy", "alpine-backend", "to", "staging", "--allow-dirty");
    expect(allowed.code).toBe(0);
    const history = await run("history", "--env", "staging", "--json");
    expect(JSON.parse(history.stdout).records[0]).toMatchObject({
      outcome: "succeeded",
      allowDirty: ["alpine-backend/server.mjs"],
      release: expect.stringMatching(/-dirty$/),
    });
  }, 60_000);

  it("two deploys at once: the second exits 75 and names the holder", async () => {
    const [a, b] = await Promise.all([
      run("deploy", "alpine-backend", "to", "staging"),
      run("deploy", "alpine-backend", "to", "staging"),
    ]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    expect(winner.code).toBe(0);
    expect(loser.code, loser.stderr).toBe(75);
    expect(loser.stderr).toMatch(
      /The deploy lock of alpine-backend in staging is held by tester@test-host \(pid \d+ on test-host, deploy alpine-backend to staging of \d{8}T\d{6}Z-[0-9a-f]{7}\) since /,
    );
    expect(loser.stderr).toContain("tradeops lock break alpine-backend staging --reason TEXT");
  }, 60_000);
});

describe("policy refusals (exit 77) before any target is touched", () => {
  it("production needs the exact phrase", async () => {
    desk = await createDeployDesk();
    const missing = await run("deploy", "alpine-backend", "to", "production", "--emergency", "--reason", "drill");
    expect(missing.code).toBe(77);
    expect(missing.stderr).toContain("Deploying to production needs the exact confirmation phrase.");
    expect(missing.stderr).toContain('--confirm "deploy fully to production"');
    const wrong = await run(
      "deploy",
      "alpine-backend",
      "--to",
      "prod",
      "--confirm",
      "deploy to production",
      "--emergency",
      "--reason",
      "drill",
    );
    expect(wrong.code).toBe(77);
    expect(wrong.stderr).toContain("does not match the production policy's");
  });

  it("a blocked day refuses without --emergency, and --emergency deploys and is recorded", async () => {
    desk = await createDeployDesk({ stagingPolicy: ["blockedDays: [mon, tue, wed, thu, fri, sat, sun]"] });
    const refused = await run("deploy", "alpine-backend", "to", "staging");
    expect(refused.code).toBe(77);
    expect(refused.stderr).toMatch(/Deploys to staging are blocked now: \w+day is a blocked day in the staging policy/);
    expect(existsSync(desk.target)).toBe(false);
    const noReason = await run("deploy", "alpine-backend", "to", "staging", "--emergency");
    expect(noReason.code).toBe(64);
    const emergency = await run(
      "deploy",
      "alpine-backend",
      "to",
      "staging",
      "--emergency",
      "--reason",
      "stop-loss bug",
    );
    expect(emergency.code).toBe(0);
    const history = JSON.parse((await run("history", "--env", "staging", "--json")).stdout);
    expect(history.records[0]).toMatchObject({ outcome: "succeeded", emergency: "stop-loss bug" });
  }, 60_000);

  it("reads the time from the injected clock", async () => {
    desk = await createDeployDesk();
    const workspace = loadWorkspace({ cwd: desk.root });
    const at = (iso: string) =>
      deploy({
        workspace,
        environment: "production",
        which: "alpine-backend",
        confirm: "deploy fully to production",
        env: desk.env,
        who: "t",
        hostname: "test-host",
        command: "test",
        clock: { ...systemClock, now: () => Date.parse(iso) },
      });
    await expect(at("2026-11-20T10:00:00Z")).rejects.toMatchObject({
      code: "TRO_ERR_POLICY_REFUSED",
      message: expect.stringContaining("Friday"),
    });
    await expect(at("2026-11-18T15:00:00Z")).rejects.toMatchObject({
      code: "TRO_ERR_POLICY_REFUSED",
      message: expect.stringContaining("13:30-20:00"),
    });
  });
});

describe("secrets", () => {
  it("never appear in any output of a deploy, its history or its records' commands", async () => {
    desk = await createDeployDesk();
    const outputs = [
      await run("deploy", "alpine-backend", "to", "staging"),
      await run("deploy", "alpine-backend", "to", "staging", "--json"),
      await run("history", "--env", "staging", "--json"),
      await run("releases", "alpine-backend", "staging", "--json"),
    ];
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(STAGING_SECRET);
    expect(readFileSync(join(desk.target, "shared/history.jsonl"), "utf8")).not.toContain(STAGING_SECRET);
    expect(readFileSync(join(desk.target, "shared/releases.json"), "utf8")).not.toContain(STAGING_SECRET);
  }, 60_000);
});
