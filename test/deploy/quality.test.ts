/**
 * Gate 8 on first deploys: with no deployed commit to diff against, every line of every file the artifact ships is
 * scanned. The example desk's projects pass production's patterns (`print(` included); a refused line fails it.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ArtifactManifest } from "../../src/deploy/artifact.js";
import type { GateContext } from "../../src/deploy/gates/context.js";
import { qualityGate } from "../../src/deploy/gates/quality.js";
import { openGit } from "../../src/deploy/git.js";
import { policyOf } from "../../src/deploy/policy.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

const workspace = loadWorkspace({ cwd: DESK });
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** The files a project's production artifact holds: its own, tests left out (the policy's excludeTests). */
function shipped(root: string, project: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (["tests", "node_modules", "__pycache__", "dist"].includes(name)) return [];
      return statSync(path).isDirectory() ? walk(path) : [relative(root, path)];
    });
  return walk(join(root, workspace.projects[project]!.path));
}

function firstDeploy(root: string, projects: readonly string[]): GateContext {
  const artifacts = new Map(
    projects.map((p) => [
      p,
      {
        manifest: { files: shipped(root, p).map((path) => ({ path })) } as unknown as ArtifactManifest,
        tarball: "",
        dir: root,
      },
    ]),
  );
  return {
    workspace,
    environment: "production",
    policy: policyOf(workspace, "production"),
    deployed: projects,
    bases: {},
    worktree: false,
    artifacts,
    // a coupled member without a target (alpine-frontend) is read from the repository's tracked files
    git: openGit(root),
  } as unknown as GateContext;
}

describe("gate 8 on a first deploy", () => {
  it("passes the example desk's services under production's patterns, print( included", async () => {
    expect(policyOf(workspace, "production").refusePatterns).toContain("print\\(");
    const verdict = await qualityGate(firstDeploy(DESK, ["alpine-backend", "signal-lab", "argo"]));
    expect(verdict.details ?? []).toEqual([]);
    expect(verdict.status).toBe("pass");
    expect(verdict.reason).toMatch(/^alpine-backend: first deploy, every line of the artifact's \d+ files, /);
  });

  it("fails on a refused line anywhere in a shipped file, naming file and line", async () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-quality-"));
    copies.push(root);
    cpSync(DESK, root, { recursive: true });
    writeFileSync(join(root, "signal-lab/debug.py"), 'import json\nprint("debug")\n');
    const verdict = await qualityGate(firstDeploy(root, ["signal-lab"]));
    expect(verdict.status).toBe("fail");
    expect(verdict.details).toEqual(["signal-lab/debug.py:2: matches /print\\(/"]);
  });
});
