/**
 * Gate 1 and 2's reading of git: which projects a set of changed files touches, who joins them (coupled projects;
 * every project when a shared path changed), and which commits mix unrelated projects.
 */
import type { Workspace } from "../workspace/types.js";
import type { CommitInfo } from "./git.js";

const within = (file: string, path: string) => {
  const p = path.replace(/^\.\/|\/+$/g, "");
  return p === "" || p === "." || file === p || file.startsWith(`${p}/`);
};

/** The projects whose directory holds `file`. */
export function projectsOfFile(workspace: Workspace, file: string): string[] {
  return Object.values(workspace.projects)
    .filter((p) => within(file, p.path))
    .map((p) => p.name);
}

/** Whether `file` lies under one of the workspace's shared paths. */
export function isSharedFile(workspace: Workspace, file: string): boolean {
  return workspace.shared.some((s) => within(file, s));
}

/** Projects that are shared code themselves (their directory is a shared path): they never make a commit "mixed". */
export function isSharedProject(workspace: Workspace, project: string): boolean {
  const p = workspace.projects[project];
  return Boolean(p && workspace.shared.some((s) => within(p.path, s)));
}

/** A project and every project coupled to it, directly or through others, sorted. */
export function coupledGroup(workspace: Workspace, project: string): string[] {
  const seen = new Set<string>([project]);
  const queue = [project];
  while (queue.length) {
    for (const next of workspace.projects[queue.shift()!]?.coupledWith ?? []) {
      if (!seen.has(next) && workspace.projects[next]) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen].sort();
}

export interface ChangeAnalysis {
  /** projects with a changed file of their own */
  readonly direct: readonly string[];
  /** changed files under shared paths */
  readonly sharedFiles: readonly string[];
  /** why each selected project is in: `changed (3 files)`, `coupled with X`, `shared path packages/shared changed` */
  readonly reasons: Readonly<Record<string, string>>;
}

/** What a set of changed files means for the workspace's projects. */
export function analyzeChanges(workspace: Workspace, files: readonly string[]): ChangeAnalysis {
  const counts = new Map<string, number>();
  const sharedFiles: string[] = [];
  for (const file of files) {
    if (isSharedFile(workspace, file)) sharedFiles.push(file);
    for (const p of projectsOfFile(workspace, file)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const reasons: Record<string, string> = {};
  for (const [p, n] of counts) reasons[p] = `changed (${n} file${n === 1 ? "" : "s"})`;
  for (const p of [...counts.keys()]) {
    for (const q of coupledGroup(workspace, p)) reasons[q] ??= `coupled with ${p}`;
  }
  if (sharedFiles.length) {
    const paths = workspace.shared.filter((s) => sharedFiles.some((f) => within(f, s)));
    for (const p of Object.keys(workspace.projects)) reasons[p] ??= `shared path ${paths.join(", ")} changed`;
  }
  return { direct: [...counts.keys()].sort(), sharedFiles, reasons };
}

export interface MixedCommit {
  readonly sha: string;
  readonly subject: string;
  /** the unrelated groups the commit touched, each a list of project names */
  readonly groups: readonly (readonly string[])[];
}

/** Commits whose files belong to more than one coupled group (shared code aside): the seeds' "never mix projects". */
/**
 * The commits that change what a deploy ships: those touching one of the deployed projects or a project coupled with
 * one. A commit elsewhere, however mixed, is another deploy's business.
 */
export function commitsTouching(
  workspace: Workspace,
  commits: readonly CommitInfo[],
  projects: readonly string[],
): CommitInfo[] {
  const group = new Set(projects.flatMap((p) => coupledGroup(workspace, p)));
  return commits.filter((c) => c.files.some((f) => projectsOfFile(workspace, f).some((p) => group.has(p))));
}

export function findMixedCommits(workspace: Workspace, commits: readonly CommitInfo[]): MixedCommit[] {
  const out: MixedCommit[] = [];
  for (const commit of commits) {
    const touched = new Set<string>();
    for (const file of commit.files) {
      for (const p of projectsOfFile(workspace, file)) if (!isSharedProject(workspace, p)) touched.add(p);
    }
    const groups = new Map<string, string[]>();
    for (const p of touched) {
      const group = coupledGroup(workspace, p);
      groups.set(
        group.join(","),
        group.filter((g) => touched.has(g)),
      );
    }
    if (groups.size > 1) out.push({ sha: commit.sha, subject: commit.subject, groups: [...groups.values()] });
  }
  return out;
}
