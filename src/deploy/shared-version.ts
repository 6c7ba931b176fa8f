/**
 * The shared-package rule (gate 1): code under a `shared` path is used by every project, so a change to it ships
 * under a new version. When files under a shared path changed since the base and the package's version file
 * (package.json, pyproject.toml, setup.cfg or VERSION) says the same version as before, gate 1 warns — or fails,
 * as `policies.ENV.sharedVersionBump` says.
 */
import { posix } from "node:path";
import type { Workspace } from "../workspace/types.js";
import type { GitRepo } from "./git.js";

export const VERSION_FILES = ["package.json", "pyproject.toml", "setup.cfg", "VERSION"] as const;

/** What gate 1 knows about one shared path that changed. */
export interface SharedVersion {
  readonly path: string;
  /** files changed under it */
  readonly changed: number;
  /** the version file, when the package has one */
  readonly file?: string;
  readonly before?: string;
  readonly after?: string;
}

/** The version a version file states, undefined when it states none. */
export function versionIn(file: string, text: string): string | undefined {
  const name = posix.basename(file);
  if (name === "package.json") {
    try {
      const version = (JSON.parse(text) as { version?: unknown }).version;
      return typeof version === "string" ? version : undefined;
    } catch {
      return undefined;
    }
  }
  if (name === "VERSION") return text.trim() || undefined;
  return /^\s*version\s*=\s*["']?([^"'\s]+)["']?\s*$/m.exec(text)?.[1];
}

const within = (file: string, dir: string) => file === dir || file.startsWith(`${dir.replace(/\/+$/, "")}/`);

/** Reads the version before and after for every shared path with changed files. */
export async function sharedVersions(
  workspace: Workspace,
  git: GitRepo,
  base: string,
  to: string,
  changed: readonly string[],
): Promise<SharedVersion[]> {
  const out: SharedVersion[] = [];
  for (const path of workspace.shared) {
    const files = changed.filter((f) => within(f, path));
    if (!files.length) continue;
    let found: SharedVersion = { path, changed: files.length };
    for (const name of VERSION_FILES) {
      const file = posix.join(path.replace(/\/+$/, ""), name);
      const now = await git.showFile(to, file);
      if (now === undefined) continue;
      const before = await git.showFile(base, file);
      found = {
        ...found,
        file,
        after: versionIn(file, now),
        ...(before !== undefined ? { before: versionIn(file, before) } : {}),
      };
      break;
    }
    out.push(found);
  }
  return out;
}

/** The shared paths that changed under an unchanged version, as gate 1 words them. */
export function unbumped(versions: readonly SharedVersion[]): string[] {
  return versions
    .filter((v) => v.file && v.after !== undefined && v.before === v.after)
    .map(
      (v) =>
        `${v.path} changed (${v.changed} file${v.changed === 1 ? "" : "s"}) but ${v.file} still says version ${v.after}: bump it, so every project can tell which shared code it runs`,
    );
}
