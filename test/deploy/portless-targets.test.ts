/** Targets without a port resolve by the project's kind: a worker, static files, or a refusal that says what to set. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findTarget } from "../../src/deploy/targets.js";
import { TroError } from "../../src/errors.js";
import { loadWorkspace } from "../../src/workspace/load.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function workspace(projects: string[], targets: string[]) {
  dir = mkdtempSync(join(tmpdir(), "tradeops-portless-"));
  for (const p of ["a", "b", "c", "d", "e"]) mkdirSync(join(dir, p));
  writeFileSync(
    join(dir, "tradeops.yaml"),
    [
      "name: shop",
      "environments: { detect: { default: staging }, staging: {} }",
      "projects:",
      ...projects,
      "targets:",
      "  staging:",
      ...targets,
      "",
    ].join("\n"),
  );
  return loadWorkspace({ cwd: dir });
}

describe("targets without a port", () => {
  it("resolve workers, strategies and built frontends, and keep services on ports", () => {
    const ws = workspace(
      [
        "  collector: { path: a, kind: worker, commands: { start: python3 c.py } }",
        "  runner: { path: b, kind: strategy, commands: { start: python3 r.py } }",
        "  site: { path: c, kind: frontend, outputDir: dist, commands: { build: node build.mjs } }",
        "  api: { path: d, port: 8100, commands: { start: node s.mjs } }",
      ],
      [
        "    collector: { hosts: [local], path: /srv/collector }",
        "    runner: { hosts: [local], path: /srv/runner }",
        "    site: { hosts: [local], path: /srv/site }",
        "    api: { hosts: [local], path: /srv/api }",
      ],
    );
    expect(findTarget(ws, "staging", "collector")).toMatchObject({ style: "worker", port: 0 });
    expect(findTarget(ws, "staging", "runner")).toMatchObject({ style: "worker", port: 0 });
    expect(findTarget(ws, "staging", "site")).toMatchObject({ style: "static", path: "/srv/site" });
    const api = findTarget(ws, "staging", "api")!;
    expect(api.style).toBeUndefined();
    expect(api.internalPorts).toEqual([8101, 8102]);
  });

  it("refuse a frontend with nothing to run or build, and a service without a port, saying what to set", () => {
    const ws = workspace(
      ["  site: { path: c, kind: frontend }", "  api: { path: d, commands: { start: node s.mjs } }"],
      ["    site: { hosts: [local], path: /srv/site }", "    api: { hosts: [local], path: /srv/api }"],
    );
    const refusal = (project: string) => {
      try {
        findTarget(ws, "staging", project);
      } catch (error) {
        return error as TroError;
      }
      throw new Error("no refusal");
    };
    const site = refusal("site");
    expect(site).toBeInstanceOf(TroError);
    expect(site.code).toBe("TRO_ERR_MANIFEST_INVALID");
    expect(site.message).toBe(
      "targets.staging.site: the frontend site has no start command, so it deploys as static files, and it needs commands.build and outputDir for that.",
    );
    expect(site.hint).toContain("projects.site.outputDir");
    const api = refusal("api");
    expect(api.code).toBe("TRO_ERR_MANIFEST_INVALID");
    expect(api.hint).toContain("Set targets.staging.api.port");
  });
});
