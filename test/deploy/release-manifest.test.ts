/** A release carries the manifest trimmed to what it holds, and is a valid workspace of its own. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { selectArtifactFiles, stageArtifact } from "../../src/deploy/artifact.js";
import { openGit } from "../../src/deploy/git.js";
import { releaseProjects, trimManifest } from "../../src/deploy/release-manifest.js";
import { bindAddress } from "../../src/deploy/session.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { createDeployDesk, type DeployDesk } from "../helpers/deploy-desk.js";

let desk: DeployDesk;
let out: string;
beforeEach(async () => {
  desk = await createDeployDesk();
  out = mkdtempSync(join(tmpdir(), "tradeops-release-"));
});
afterEach(async () => {
  rmSync(out, { recursive: true, force: true });
  await desk.cleanup();
});

describe("the release's manifest", () => {
  it("keeps the deployed project and the shared code, drops the rest with their targets and couplings", () => {
    const workspace = loadWorkspace({ cwd: desk.root });
    const keep = releaseProjects(workspace, "alpine-backend");
    expect(keep).toEqual(["alpine-backend", "shared"]);
    const trimmed = parse(trimManifest(readFileSync(join(desk.root, "tradeops.yaml"), "utf8"), keep));
    expect(Object.keys(trimmed.projects)).toEqual(["alpine-backend", "shared"]);
    expect(trimmed.projects["alpine-backend"].coupledWith).toEqual([]);
    expect(Object.keys(trimmed.targets.staging)).toEqual(["alpine-backend"]);
    expect(Object.keys(trimmed.targets.production)).toEqual(["alpine-backend"]);
    expect(trimmed.policies.production.confirmPhrase).toBe("deploy fully to production");
  });

  it("makes the staged release a workspace that loads on its own", async () => {
    const workspace = loadWorkspace({ cwd: desk.root });
    const project = workspace.projects["alpine-backend"]!;
    const { files } = await selectArtifactFiles(workspace, project, openGit(desk.root));
    stageArtifact(workspace, project, files, out);
    const release = loadWorkspace({ cwd: out });
    expect(Object.keys(release.projects)).toEqual(["alpine-backend", "shared"]);
    expect(release.projects["alpine-backend"]!.dir).toBe(join(out, "alpine-backend"));
  });
});

describe("the public port's address", () => {
  it("is loopback on this machine and on a target reached over loopback, every interface elsewhere", () => {
    expect(bindAddress("local")).toBe("127.0.0.1");
    expect(bindAddress("root@127.0.0.1:2222")).toBe("127.0.0.1");
    expect(bindAddress("deploy@localhost")).toBe("127.0.0.1");
    expect(bindAddress("deploy@argo-prod.example.internal")).toBe("0.0.0.0");
  });
});
