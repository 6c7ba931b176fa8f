/**
 * Building the artifacts of a plan on this machine: select the files, refuse local-only ones, pack, hash. Reported
 * as an `artifact` step per project; a refusal names every offending file and why.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { TroError } from "../errors.js";
import type { Workspace } from "../workspace/types.js";
import {
  type ArtifactManifest,
  describeArtifact,
  packArtifact,
  selectArtifactFiles,
  stageArtifact,
} from "./artifact.js";
import { type DeployClock, systemClock } from "./clock.js";
import { type EventSink, step } from "./events.js";
import type { GitRepo } from "./git.js";
import { findLocalOnly } from "./local-only.js";
import type { DeployPlan } from "./plan.js";
import { policyOf } from "./policy.js";
import { buildStaticArtifact } from "./static-release.js";

export interface BuiltArtifact {
  readonly manifest: ArtifactManifest;
  readonly tarball: string;
  /** the staged tree the tarball was packed from (what ships, file for file) */
  readonly dir: string;
}

/**
 * Builds one artifact per deployed project into `dir`.
 * @throws TroError TRO_ERR_GATE_FAILED when an artifact holds a local-only file
 */
export async function buildArtifacts(
  plan: DeployPlan,
  workspace: Workspace,
  git: GitRepo,
  dir: string,
  emit?: EventSink,
  /** the environment a static frontend's build command runs with */
  env: Readonly<Record<string, string | undefined>> = {},
  clock: DeployClock = systemClock,
): Promise<Map<string, BuiltArtifact>> {
  const out = new Map<string, BuiltArtifact>();
  const policy = policyOf(workspace, plan.environment);
  for (const d of plan.deploys) {
    const project = workspace.projects[d.project]!;
    const built = await step(
      emit,
      { project: d.project, host: "local" },
      "artifact",
      async () => {
        if (d.target.style === "static")
          return buildStaticArtifact(project, dir, join(dir, `${d.project}-${d.release}.tar.gz`), env);
        const { files, ignored } = await selectArtifactFiles(workspace, project, git);
        const localOverlays = Object.values(workspace.projects)
          .map((p) => p.config?.local)
          .filter((p): p is string => Boolean(p))
          .map((p) => relative(workspace.root, p));
        const configLayers = Object.values(workspace.projects)
          .flatMap((p) => [p.config?.base, ...Object.values(p.config?.environments ?? {})])
          .filter((p): p is string => Boolean(p))
          .map((p) => relative(workspace.root, p));
        const findings = findLocalOnly(files, {
          excludeTests: policy.excludeTests,
          localOverlays,
          configLayers,
          read: (file) => readFileSync(join(workspace.root, file), "utf8"),
        });
        if (findings.length) {
          throw new TroError(
            "TRO_ERR_GATE_FAILED",
            `The artifact of ${d.project} holds ${findings.length} local-only file${findings.length === 1 ? "" : "s"}: ${findings.map((f) => f.file).join(", ")}.`,
            {
              problems: findings.map((f) => ({ file: f.file, message: f.reason })),
              hint: "Add them to .deployignore, or remove them from git (`git rm --cached FILE`).",
            },
          );
        }
        const staged = join(dir, d.project);
        stageArtifact(workspace, project, files, staged);
        const tarball = join(dir, `${d.project}-${d.release}.tar.gz`);
        await packArtifact(staged, files, tarball);
        return { manifest: describeArtifact(staged, d.project, files, ignored), tarball, dir: staged };
      },
      (b) =>
        `${b.manifest.files.length} files (${b.manifest.ignored} left out by .deployignore), sha256 ${b.manifest.hash.slice(0, 12)}`,
      clock,
    );
    out.set(d.project, built);
  }
  return out;
}
