/** The artifact: git-tracked files minus .deployignore, hashed independently of tar, and the local-only check. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { list } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeArtifact, packArtifact, selectArtifactFiles } from "../../src/deploy/artifact.js";
import { openGit } from "../../src/deploy/git.js";
import { findLocalOnly } from "../../src/deploy/local-only.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";

let desk: DeployDesk;
beforeEach(async () => {
  desk = await createDeployDesk();
});
afterEach(async () => {
  await desk.cleanup();
});

describe("artifact selection", () => {
  it("holds the project's tracked files, the shared paths and the manifest, minus .deployignore", async () => {
    writeFileSync(join(desk.root, "alpine-backend/untracked.mjs"), "export {};\n");
    const workspace = loadWorkspace({ cwd: desk.root });
    const { files, ignored } = await selectArtifactFiles(
      workspace,
      workspace.projects["alpine-backend"]!,
      openGit(desk.root),
    );
    expect(files).toContain("tradeops.yaml");
    expect(files).toContain("alpine-backend/server.mjs");
    expect(files.some((f) => f.startsWith("packages/shared/"))).toBe(true);
    expect(files).not.toContain("alpine-backend/untracked.mjs");
    expect(files.some((f) => f.includes("/tests/"))).toBe(false);
    expect(files.some((f) => f.startsWith("argo/"))).toBe(false);
    expect(ignored).toBeGreaterThan(0);
  });

  it("honours a project's own .deployignore", async () => {
    desk.commit("project ignore", { "alpine-backend/.deployignore": "migrate.mjs\n" });
    const workspace = loadWorkspace({ cwd: desk.root });
    const { files } = await selectArtifactFiles(workspace, workspace.projects["alpine-backend"]!, openGit(desk.root));
    expect(files).not.toContain("alpine-backend/migrate.mjs");
    expect(files).not.toContain("alpine-backend/.deployignore");
  });

  it("hashes the file list and contents, not tar's metadata: the same tree gives the same hash", async () => {
    const workspace = loadWorkspace({ cwd: desk.root });
    const { files, ignored } = await selectArtifactFiles(
      workspace,
      workspace.projects["alpine-backend"]!,
      openGit(desk.root),
    );
    const a = describeArtifact(desk.root, "alpine-backend", files, ignored);
    const b = describeArtifact(desk.root, "alpine-backend", files, ignored);
    expect(a.hash).toBe(b.hash);
    expect(a.files.find((f) => f.path === "alpine-backend/server.mjs")?.sha256).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(desk.root, "alpine-backend/server.mjs"), "// changed\n");
    expect(describeArtifact(desk.root, "alpine-backend", files, ignored).hash).not.toBe(a.hash);
  });

  it("packs exactly the selected files", async () => {
    const workspace = loadWorkspace({ cwd: desk.root });
    const { files } = await selectArtifactFiles(workspace, workspace.projects["alpine-backend"]!, openGit(desk.root));
    const out = mkdtempSync(join(tmpdir(), "tradeops-pack-"));
    try {
      await packArtifact(desk.root, files, join(out, "a.tar.gz"));
      const entries: string[] = [];
      await list({ file: join(out, "a.tar.gz"), onReadEntry: (e) => entries.push(e.path) });
      expect(entries.sort()).toEqual([...files].sort());
      expect(readdirSync(out)).toEqual(["a.tar.gz"]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("the local-only check", () => {
  const read = (contents: Record<string, string>) => (file: string) => {
    if (!(file in contents)) throw new Error("absent");
    return contents[file]!;
  };

  it("refuses every kind of local-only file and says why", () => {
    const files = [
      "a/.env.local",
      "a/.env.production.local",
      "a/settings.local.json",
      "a/data/app.db",
      "a/run.log",
      "a/certs/server.key",
      "scripts/local_seed.sh",
      "a/test/helper.mjs",
      "a/x.spec.ts",
      "a/config/local.yaml",
      "a/.env",
      "a/config.json",
      "a/.env.example",
      "a/config/base.yaml",
    ];
    const findings = findLocalOnly(files, {
      excludeTests: true,
      localOverlays: ["a/config/local.yaml"],
      read: read({
        "a/.env": "API_KEY=4f9c2a7e1b3d5f6a8c0e\n",
        "a/.env.example": "API_KEY=\n",
        "a/config.json": JSON.stringify({ alpaca: { api_key: "PKA1B2C3D4E5F6G7H8I9" } }),
      }),
    });
    expect(Object.fromEntries(findings.map((f) => [f.file, f.reason]))).toEqual({
      "a/.env.local": "a local env file",
      "a/.env.production.local": "a local env file",
      "a/settings.local.json": "a local-only overlay (*.local.*)",
      "a/data/app.db": "a database file",
      "a/run.log": "a log file",
      "a/certs/server.key": "a private key",
      "scripts/local_seed.sh": "a local-only script (scripts/local_*)",
      "a/test/helper.mjs": "a test file (the policy excludes tests)",
      "a/x.spec.ts": "a test file (the policy excludes tests)",
      "a/config/local.yaml": "the project's local config overlay",
      "a/.env": "an env file with values",
      "a/config.json": "a config.json holding secrets",
    });
  });

  it("lets tests through when the policy keeps them, and placeholders in env and config files", () => {
    const findings = findLocalOnly(["a/tests/x.mjs", "a/.env", "a/config.json"], {
      excludeTests: false,
      localOverlays: [],
      read: read({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder in an env file
        "a/.env": "API_KEY=\nTOKEN=${TOKEN}\n",
        "a/config.json": JSON.stringify({ api_key: "FROM_SECRETS", port: 1 }),
      }),
    });
    expect(findings).toEqual([]);
  });
});

describe("git", () => {
  it("reads added lines relative to the workspace root when it is a subdirectory of the repository", async () => {
    const repo = mkdtempSync(join(tmpdir(), "tradeops-repo-"));
    try {
      mkdirSync(join(repo, "ws/app"), { recursive: true });
      writeFileSync(join(repo, "ws/app/a.js"), "one\n");
      writeFileSync(join(repo, "outside.txt"), "x\n");
      const git = (...args: string[]) => desk.git("-C", repo, ...args);
      git("init", "-q");
      git("add", "-A");
      git("commit", "-qm", "a");
      const base = git("rev-parse", "HEAD").trim();
      writeFileSync(join(repo, "ws/app/a.js"), "one\ntwo\n");
      writeFileSync(join(repo, "outside.txt"), "y\n");
      git("commit", "-qam", "b");
      const g = openGit(join(repo, "ws"));
      expect(await g.changedFiles(base, "HEAD")).toEqual(["app/a.js"]);
      expect(await g.trackedFiles(["app"])).toEqual(["app/a.js"]);
      expect((await g.commits(base, "HEAD")).map((c) => [c.subject, c.files])).toEqual([["b", ["app/a.js"]]]);
      expect(await g.diff(base, "HEAD", ["app/a.js"])).toContain("+two");
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
