/**
 * Fresh shop workspaces for portless deploys, as git repositories: a Python tick collector without a port writing
 * SQLite rows under data/ with a heartbeat, and a backend with its static frontend (a build command writing dist/).
 * `cleanup()` stops, by pid, what the deploys left running on the targets, then removes the workspace.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { killTargetProcesses } from "./deploy-desk.js";

export const TICK_COLLECTOR = readFileSync(join(import.meta.dirname, "tick-collector.py"), "utf8");

export interface Shop {
  readonly root: string;
  readonly env: Record<string, string>;
  /** the base path of a project's staging target */
  target(project: string): string;
  /** writes files, commits them, returns the new HEAD */
  commit(message: string, files: Record<string, string>): string;
  cleanup(): void;
}

/** A workspace from a manifest and files; each project's staging target below `targets/<project>` unless set. */
export function createShop(
  manifest: (targetOf: (project: string) => string) => string,
  files: Record<string, string>,
): Shop {
  const root = mkdtempSync(join(tmpdir(), "tradeops-shop-"));
  const targets = new Set<string>();
  const targetOf = (project: string) => {
    const path = join(root, ".targets", project);
    targets.add(path);
    return path;
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    USER: "tester",
  };
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: root,
      env: {
        ...env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@t",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@t",
      },
    }).toString();
  const write = (all: Record<string, string>) => {
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  };
  write({ ...files, "tradeops.yaml": manifest(targetOf), ".gitignore": ".targets/\ndist/\n" });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "tester");
  git("add", "-A");
  git("commit", "-qm", "the shop");
  return {
    root,
    env,
    target: targetOf,
    commit: (message, changed) => {
      write(changed);
      git("add", "-A");
      git("commit", "-qm", message);
      return git("rev-parse", "HEAD").trim();
    },
    cleanup: () => {
      for (const t of targets) killTargetProcesses(t);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
