/**
 * The impure half of planning: asks git and each target what `planDeploy` needs, and nothing more. The base of a
 * project's diff is `--since REF`, else the commit of the newest release that went live on its target.
 */

import { TroError } from "../errors.js";
import type { Executor } from "../exec/command.js";
import { requireProject } from "../workspace/lookup.js";
import type { PolicyManifest } from "../workspace/schema.js";
import type { Workspace } from "../workspace/types.js";
import { artifactRoots } from "./artifact.js";
import { coupledGroup } from "./changes.js";
import type { GitRepo } from "./git.js";
import { targetLayout } from "./layout.js";
import { openDeployLock } from "./lock.js";
import type { DeployRequest, DeployState, ProjectSnapshot } from "./plan.js";
import { lastDeployedCommit, targetRecords } from "./records.js";
import { sharedVersions } from "./shared-version.js";
import { targetFiles } from "./target-files.js";
import { findTarget, projectsWithTargets, requireTarget } from "./targets.js";

export interface GatherOptions {
  readonly workspace: Workspace;
  readonly request: DeployRequest;
  readonly policy: PolicyManifest;
  readonly git: GitRepo;
  readonly now: Date;
  /** the moment blocked days and hours are judged at, when not now (rehearsals only) */
  readonly windowAt?: Date;
  readonly nonce: string;
  readonly hostname: string;
  /** the executor of a host (the caller caches and closes them) */
  readonly executorFor: (host: string) => Executor;
}

/**
 * Reads git and the targets.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_USAGE (no target; `--since` names no commit),
 *   TRO_ERR_TARGET_UNAVAILABLE
 */
export async function gatherDeployState(options: GatherOptions): Promise<DeployState> {
  const { workspace, request, git } = options;
  const env = request.environment;
  let candidates: string[];
  if (request.which === "all") {
    candidates = projectsWithTargets(workspace, env);
  } else {
    requireProject(workspace, request.which);
    candidates = coupledGroup(workspace, request.which).filter((p) => findTarget(workspace, env, p));
    if (!candidates.length) requireTarget(workspace, env, request.which);
  }
  const head = await git.head();
  const since = request.since ? await git.resolve(request.since) : undefined;
  if (request.since && !since) {
    throw new TroError("TRO_ERR_USAGE", `--since ${request.since} does not name a commit in this repository.`, {
      hint: "Use a commit, tag or branch name that `git rev-parse` knows (fetch it first if it is remote).",
    });
  }
  const snapshots: Record<string, ProjectSnapshot> = {};
  for (const project of candidates) {
    snapshots[project] = await snapshot(options, project, head, since);
  }
  const roots = new Set(candidates.flatMap((p) => artifactRoots(workspace, workspace.projects[p]!)));
  const dirty = await git.dirtyFiles([...roots]);
  return {
    request,
    workspace,
    policy: options.policy,
    now: options.now,
    ...(options.windowAt ? { windowAt: options.windowAt } : {}),
    head,
    dirty,
    snapshots,
    nonce: options.nonce,
  };
}

async function snapshot(
  options: GatherOptions,
  project: string,
  head: string,
  since?: string,
): Promise<ProjectSnapshot> {
  const { workspace, request, git } = options;
  const target = requireTarget(workspace, request.environment, project);
  const executor = options.executorFor(target.hosts[0]!);
  const layout = targetLayout(target.path);
  const files = targetFiles(executor);
  const records = targetRecords(files, layout);
  const [releases, state, lock] = await Promise.all([
    records.readReleases(),
    records.readState(),
    openDeployLock({ files, layout, hostname: options.hostname }).status(),
  ]);
  let base = since;
  let baseNote = since ? `since ${request.since} (${since.slice(0, 7)})` : "";
  if (!since) {
    const deployed = lastDeployedCommit(releases);
    if (!deployed) baseNote = `first deploy to ${request.environment}`;
    else if (await git.resolve(deployed)) {
      base = deployed;
      baseNote = `since ${deployed.slice(0, 7)}, the last commit deployed to ${request.environment}`;
    } else {
      baseNote = `the last deployed commit ${deployed.slice(0, 7)} is not in this repository (fetch it); treated as a first deploy`;
    }
  }
  const to = request.allowDirty ? "worktree" : "HEAD";
  const changed = base ? await git.changedFiles(base, to) : [];
  const commits = base && base !== head ? await git.commits(base, "HEAD") : [];
  const versions = base ? await sharedVersions(workspace, git, base, "HEAD", changed) : [];
  return { project, target, releases, state, lock, base, baseNote, files: changed, commits, sharedVersions: versions };
}
