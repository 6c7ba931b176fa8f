/**
 * `tradeops gates --at`: the Friday and market-hours rules tried before the day comes. A rehearsal is judged as of
 * the given moment (a blocked one exits 77, as the deploy would be refused); a real deploy never takes a moment.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploy } from "../../src/deploy/deploy.js";
import { parseRehearsalMoment } from "../../src/deploy/policy.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";

let desk: DeployDesk;
beforeAll(async () => {
  desk = await createDeployDesk({
    stagingPolicy: ["blockedDays: [fri, sat, sun]", "blockedHours: ['13:30-20:00']", "timezone: UTC"],
  });
});
afterAll(async () => {
  await desk?.cleanup();
});
const gates = (...args: string[]) =>
  cli(["gates", "alpine-backend", "--to", "staging", "--json", ...args], { cwd: desk.root, env: desk.env });

describe("gates --at", () => {
  it("judges a Friday, market hours and an open moment as of the given time", async () => {
    const friday = await gates("--at", "2026-12-04T15:00Z");
    expect(friday.code, friday.stderr).toBe(77);
    const report = JSON.parse(friday.stdout);
    expect(report.at).toBe("2026-12-04T15:00:00.000Z");
    expect(report.window).toMatchObject({ blocked: true, local: "fri 15:00 UTC" });
    expect(report.window.reason).toBe("Friday is a blocked day in the staging policy");
    const hours = await gates("--at", "2026-12-02T15:00Z");
    expect(hours.code).toBe(77);
    expect(JSON.parse(hours.stdout).window.reason).toBe(
      "15:00 UTC is within the blocked hours 13:30-20:00 of the staging policy",
    );
    const open = await cli(["gates", "alpine-backend", "--to", "staging", "--at", "2026-12-02T08:15-05:00"], {
      cwd: desk.root,
      env: desk.env,
    });
    expect(open.code, open.stdout + open.stderr).toBe(0);
    expect(open.stdout).toContain("✔ window at 2026-12-02T13:15:00.000Z (wed 13:15 UTC): open");
  }, 120_000);

  it("refuses a malformed moment (64), and a real deploy never takes one", async () => {
    const bad = await cli(["gates", "alpine-backend", "--to", "staging", "--at", "next friday"], {
      cwd: desk.root,
      env: desk.env,
    });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--at "next friday" is not a date and time.');
    expect(parseRehearsalMoment("2026-12-04 15:00").toISOString()).toBe("2026-12-04T15:00:00.000Z");
    const workspace = loadWorkspace({ workspace: desk.root });
    const real = deploy({
      workspace,
      environment: "staging",
      which: "alpine-backend",
      at: new Date("2026-12-01T10:00:00Z"),
      env: desk.env,
      who: "t",
      hostname: "h",
      command: "deploy",
    });
    await expect(real).rejects.toThrow("--at only rehearses: a real deploy is judged by the real clock.");
  });
});
