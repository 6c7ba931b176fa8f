/**
 * The few git questions a deploy asks, answered by the `git` command in the workspace root. Every path comes back
 * relative to the workspace root (which may be a subdirectory of the repository).
 */
import { TroError } from "../errors.js";
import { runLocal } from "../exec/local.js";

export interface CommitInfo {
  readonly sha: string;
  readonly subject: string;
  readonly files: readonly string[];
}

export interface GitRepo {
  readonly root: string;
  head(): Promise<string>;
  /** the full sha of a ref, or undefined when it does not name a commit here */
  resolve(ref: string): Promise<string | undefined>;
  /** files changed between two commits (`worktree` as `to`: the working tree, staged or not) */
  changedFiles(from: string, to: string | "worktree"): Promise<string[]>;
  /** the commits in `from..to`, oldest first, with the files each touched */
  commits(from: string, to: string): Promise<CommitInfo[]>;
  /** a unified diff without context lines, limited to `paths` */
  diff(from: string, to: string | "worktree", paths: readonly string[]): Promise<string>;
  /** git-tracked files below `paths` */
  trackedFiles(paths: readonly string[]): Promise<string[]>;
  /** tracked files below `paths` whose working copy differs from HEAD (staged or not) */
  dirtyFiles(paths: readonly string[]): Promise<string[]>;
  /** a file's content at a commit (path relative to the workspace root), undefined when it is not there */
  showFile(commit: string, path: string): Promise<string | undefined>;
}

/** Opens the repository that contains `root`. */
export function openGit(root: string, env?: Readonly<Record<string, string | undefined>>): GitRepo {
  const git = async (args: readonly string[]): Promise<string> => {
    const result = await runLocal(
      { argv: ["git", "-c", "core.quotepath=off", ...args], cwd: root, timeoutMs: 60_000 },
      { baseEnv: { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" } },
    );
    if (result.code !== 0) {
      const why = result.stderr.trim().split("\n")[0] ?? "";
      if (/not a git repository/i.test(why)) {
        throw new TroError("TRO_ERR_GATE_FAILED", `The workspace at ${root} is not in a git repository.`, {
          hint: "Deploys are built from git-tracked files: run `git init`, commit, then deploy.",
        });
      }
      throw new TroError("TRO_ERR_COMMAND_FAILED", `git ${args[0]} failed in ${root}: ${why}`, {
        hint: "Check the repository (`git status`).",
      });
    }
    return result.stdout;
  };
  const lines = (text: string) => text.split("\n").filter(Boolean);
  const range = (from: string, to: string | "worktree") => (to === "worktree" ? [from] : [from, to]);
  return {
    root,
    head: async () => (await git(["rev-parse", "HEAD"])).trim(),
    resolve: async (ref) => {
      try {
        return (await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || undefined;
      } catch {
        return undefined;
      }
    },
    changedFiles: async (from, to) => lines(await git(["diff", "--name-only", "--relative", ...range(from, to)])),
    commits: async (from, to) => {
      const out = await git(["log", "--reverse", "--relative", "--name-only", "--format=%x00%H %s", `${from}..${to}`]);
      return out
        .split("\0")
        .filter((chunk) => chunk.trim())
        .map((chunk) => {
          const [first, ...files] = lines(chunk);
          const space = first!.indexOf(" ");
          return { sha: first!.slice(0, space), subject: first!.slice(space + 1), files };
        });
    },
    diff: async (from, to, paths) =>
      paths.length
        ? git(["diff", "--relative", "--unified=0", "--no-color", "--no-ext-diff", ...range(from, to), "--", ...paths])
        : "",
    trackedFiles: async (paths) => lines(await git(["ls-files", "--", ...paths])),
    dirtyFiles: async (paths) => lines(await git(["diff", "--name-only", "--relative", "HEAD", "--", ...paths])),
    showFile: async (commit, path) => {
      try {
        return await git(["show", `${commit}:./${path}`]);
      } catch {
        return undefined;
      }
    },
  };
}
