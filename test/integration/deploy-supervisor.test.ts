/**
 * The supervisor runner (`--runner supervisor`): each colour's release runs under its own tradeops supervisor
 * (the real `bin/tradeops.js`, built by `npm run build`), started for the release's own directory so that each
 * release runs with its own config. Blue/green, a second release, a rollback, and `tradeops status`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
let desk: DeployDesk;
beforeAll(async () => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
  desk = await createDeployDesk();
  desk.env.TRADEOPS_SUPERVISOR_ENTRY = BIN;
});
afterAll(async () => {
  for (const color of ["blue", "green"]) {
    await cli(["supervisor", "stop", "--env", "staging"], {
      cwd: desk.root,
      env: { ...desk.env, TRADEOPS_STATE_DIR: join(desk.target, "shared/supervisor", color) },
    });
  }
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const version = async () =>
  ((await fetch(`http://127.0.0.1:${desk.port}/version`).then((r) => r.json())) as { version: string }).version;

describe("deploy under the supervisor", () => {
  it("runs each release under its colour's supervisor, with that release's config", async () => {
    const first = await run("deploy", "alpine-backend", "to", "staging", "--runner", "supervisor");
    expect(first.code, first.stderr).toBe(0);
    expect(await version()).toBe("v1");
    const file = join(desk.root, "alpine-backend/config/base.yaml");
    desk.commit("v2", {
      "alpine-backend/config/base.yaml": readFileSync(file, "utf8").replace(/version_label: \S+/, "version_label: v2"),
    });
    const second = await run("deploy", "alpine-backend", "to", "staging", "--runner", "supervisor");
    expect(second.code, second.stderr).toBe(0);
    expect(await version()).toBe("v2");

    const status = await cli(["status", "alpine-backend", "--env", "staging", "--json"], {
      cwd: desk.root,
      env: { ...desk.env, TRADEOPS_STATE_DIR: join(desk.target, "shared/supervisor/green") },
    });
    const instances = JSON.parse(status.stdout).instances;
    expect(instances).toEqual([
      expect.objectContaining({
        name: "alpine-backend@green",
        state: "running",
        release: expect.stringMatching(/Z-[0-9a-f]{7}$/),
      }),
    ]);

    const back = await run("rollback", "alpine-backend", "staging", "--runner", "supervisor");
    expect(back.code, back.stderr).toBe(0);
    expect(await version()).toBe("v1");
  }, 120_000);
});
