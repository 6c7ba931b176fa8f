/**
 * Zero downtime (SPEC §14): under continuous HTTP load against the public port, deploy a new release, then a release
 * that fails health, then roll back — not one request may fail in any of the three.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";
import { startLoad } from "../helpers/load.js";
import { UNHEALTHY } from "../helpers/variants.js";

let desk: DeployDesk;
beforeAll(async () => {
  desk = await createDeployDesk();
});
afterAll(async () => {
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const label = (v: string) => {
  const file = join(desk.root, "alpine-backend/config/base.yaml");
  return {
    "alpine-backend/config/base.yaml": readFileSync(file, "utf8").replace(/version_label: \S+/, `version_label: ${v}`),
  };
};

describe("zero downtime", () => {
  it("serves every request through a deploy, a failed deploy and a rollback", async () => {
    expect((await run("deploy", "alpine-backend", "to", "staging")).code).toBe(0);
    const load = startLoad(desk.port);
    try {
      await load.answered(300);

      desk.commit("v2", label("v2"));
      const second = await run("deploy", "alpine-backend", "to", "staging");
      expect(second.code, second.stderr).toBe(0);
      await load.answered(300);

      desk.commit("v3 reports unhealthy", { ...label("v3"), "alpine-backend/server.mjs": UNHEALTHY });
      const failing = await run("deploy", "alpine-backend", "to", "staging", "--start-timeout", "2");
      expect(failing.code).toBe(1);
      expect(failing.stderr).toContain("failed before the switch (traffic never moved)");
      expect(failing.stderr).toContain(
        "did not pass level 2 health within 2 s (alpine-backend detailed: unhealthy (UNHEALTHY))",
      );
      await load.answered(300);

      const back = await run("rollback", "alpine-backend", "staging", "--reason", "drill");
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toMatch(/rolled back alpine-backend in staging on local: \S+ → \S+/);
      await load.answered(300);
    } finally {
      const report = await load.stop();
      expect(report.errors).toEqual([]);
      expect(report.failed).toBe(0);
      expect(report.ok).toBeGreaterThan(1200);
      expect(Object.keys(report.bodies).sort()).toEqual(['{"version":"v1"}', '{"version":"v2"}']);
    }
    const version = await fetch(`http://127.0.0.1:${desk.port}/version`).then((r) => r.json());
    expect(version).toEqual({ version: "v1" });
    const history = JSON.parse((await run("history", "--env", "staging", "--json")).stdout).records;
    expect(history.map((r: { kind: string; outcome: string }) => `${r.kind}:${r.outcome}`)).toEqual([
      "rollback:succeeded",
      "deploy:failed",
      "deploy:succeeded",
      "deploy:succeeded",
    ]);
    expect(history[1].rollbackReason).toContain("did not pass level 2 health");
  }, 120_000);
});
