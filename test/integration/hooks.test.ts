/** The pre-commit hook in a real repository: `git commit` runs it, and it refuses what the seeds forbid. */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { GIT_ENV } from "../helpers/seed-repos.js";

let ws: string;
const env = { ...process.env, ...GIT_ENV };
const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: ws, env, stdio: ["ignore", "pipe", "pipe"] }).toString();
/** stages the changes and commits; returns git's status and output */
function commit(changes: Record<string, string>) {
  for (const [file, text] of Object.entries(changes)) appendFileSync(join(ws, file), text);
  git("add", "-A");
  const r = spawnSync("git", ["commit", "-qm", "change"], { cwd: ws, env, encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

beforeEach(async () => {
  ws = copyWorkspace();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "desk");
  const installed = await cli(["hooks", "install"], { cwd: ws });
  expect(installed.code, installed.stderr).toBe(0);
});

describe("tradeops hooks install", () => {
  it("writes an executable pre-commit hook, and leaves a foreign hook alone unless forced", async () => {
    const hook = join(ws, ".git/hooks/pre-commit");
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(readFileSync(hook, "utf8")).toContain("hooks run pre-commit");
    writeFileSync(hook, "#!/bin/sh\nexit 0\n");
    const refused = await cli(["hooks", "install"], { cwd: ws });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain("was not written by tradeops");
    expect((await cli(["hooks", "install", "--force"], { cwd: ws })).code).toBe(0);
  });

  it("refuses a commit that mixes unrelated projects; coupled projects and shared code pass", () => {
    const head = git("rev-parse", "HEAD");
    const mixed = commit({ "argo/config/base.yaml": "\n# a\n", "alpine-backend/server.mjs": "\n// b\n" });
    expect(mixed.status).not.toBe(0);
    expect(mixed.output).toContain("the commit mixes unrelated projects: alpine-backend | argo");
    expect(git("rev-parse", "HEAD")).toBe(head);
    git("reset", "-q", "--hard");
    expect(commit({ "alpine-backend/server.mjs": "\n// b\n", "alpine-frontend/build.mjs": "\n// f\n" }).status).toBe(0);
    expect(commit({ "packages/shared/index.mjs": "\n// s\n", "argo/config/base.yaml": "\n# a\n" }).status).toBe(0);
  });

  it("refuses a staged literal secret without printing it, and a refused pattern", () => {
    const key = "PKQ7ZXW2L9MNB4VC8TYR";
    const secret = commit({ "argo/config/production.yaml": `# key\nextra_api_key: ${key}\n` });
    expect(secret.status).not.toBe(0);
    expect(secret.output).toMatch(
      /argo\/config\/production\.yaml:\d+: literal secret \(Alpaca key id, PK… \(20 characters\)\)/,
    );
    expect(secret.output).not.toContain(key);
    git("reset", "-q", "--hard");
    const pattern = commit({ "alpine-backend/server.mjs": '\nconsole.log("x");\n' });
    expect(pattern.status).not.toBe(0);
    expect(pattern.output).toMatch(/alpine-backend\/server\.mjs:\d+: matches the refused pattern \/console\\\.log\//);
  });
});
