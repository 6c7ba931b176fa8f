/**
 * The shared-package rule at gate 1: a change under a shared path without a version bump warns (default), fails
 * when the policy says `sharedVersionBump: fail`, and passes once the version moved.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { versionIn } from "../../src/deploy/shared-version.js";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";

let desk: DeployDesk | undefined;
afterEach(async () => {
  await desk?.cleanup();
  desk = undefined;
});

const NOTE =
  "packages/shared changed (1 file) but packages/shared/package.json still says version 1.0.0: bump it, so every project can tell which shared code it runs";

async function sharedChange(d: DeployDesk, version: string) {
  d.commit("the shared package has a version", {
    "packages/shared/package.json": `${JSON.stringify({ name: "desk-shared", version: "1.0.0" })}\n`,
  });
  const index = join(d.root, "packages/shared/index.mjs");
  d.commit("shared tweak", {
    "packages/shared/index.mjs": `${readFileSync(index, "utf8")}\n// tweak\n`,
    "packages/shared/package.json": `${JSON.stringify({ name: "desk-shared", version })}\n`,
  });
  const result = await cli(["gates", "alpine-backend", "--to", "staging", "--since", "HEAD~1", "--json"], {
    cwd: d.root,
    env: d.env,
  });
  return { result, gate1: JSON.parse(result.stdout).gates.find((g: { gate: number }) => g.gate === 1) };
}

describe("gate 1: the shared-package rule", () => {
  it("reads versions from package.json, pyproject.toml, setup.cfg and VERSION", () => {
    expect(versionIn("p/package.json", '{"version":"2.1.0"}')).toBe("2.1.0");
    expect(versionIn("p/pyproject.toml", '[project]\nname = "x"\nversion = "0.4.1"\n')).toBe("0.4.1");
    expect(versionIn("p/setup.cfg", "[metadata]\nversion = 3.0\n")).toBe("3.0");
    expect(versionIn("p/VERSION", "1.2.3\n")).toBe("1.2.3");
    expect(versionIn("p/package.json", "{not json")).toBeUndefined();
  });

  it("warns by default when the version did not move, and is quiet once it did", async () => {
    desk = await createDeployDesk();
    const { gate1 } = await sharedChange(desk, "1.0.0");
    expect(gate1.status).toBe("pass");
    expect(gate1.details).toContain(`warning: ${NOTE}`);
  }, 120_000);

  it("fails gate 1 under sharedVersionBump: fail, and passes with a bump", async () => {
    desk = await createDeployDesk({ stagingPolicy: ["sharedVersionBump: fail"] });
    const { result, gate1 } = await sharedChange(desk, "1.0.0");
    expect(result.code).toBe(1);
    expect(gate1).toMatchObject({ status: "fail", reason: expect.stringContaining("without a version bump") });
    expect(gate1.details).toContain(NOTE);
    const bumped = await sharedChange(desk, "1.1.0");
    expect(bumped.gate1.status).toBe("pass");
    expect(bumped.gate1.details.join("\n")).not.toContain("bump it");
  }, 180_000);
});
