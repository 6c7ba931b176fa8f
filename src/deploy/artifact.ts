/**
 * The artifact: the project's git-tracked files, its shared paths and the manifest, minus `.deployignore`
 * (gitignore syntax, at the workspace root and in the project), packed with tar. Its file list with each file's
 * SHA-256 is recorded, and the artifact hash is the hash of that list — independent of tar's metadata, so the same
 * tree always hashes the same.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ignore from "ignore";
import { create as createTar } from "tar";
import type { Project, Workspace } from "../workspace/types.js";
import type { GitRepo } from "./git.js";
import { releaseProjects, trimManifest } from "./release-manifest.js";

export const DEPLOYIGNORE = ".deployignore";
/** tar entries carry this time, so that packing twice gives the same bytes */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

export interface ArtifactFile {
  readonly path: string;
  readonly size: number;
  readonly mode: 644 | 755;
  readonly sha256: string;
}

export interface ArtifactManifest {
  readonly project: string;
  /** paths relative to the workspace root, sorted */
  readonly files: readonly ArtifactFile[];
  /** SHA-256 of the file list (`sha256 mode path` lines) */
  readonly hash: string;
  /** how many tracked files `.deployignore` kept out */
  readonly ignored: number;
}

/** The paths an artifact draws from: the project, the shared paths, the manifest. */
export function artifactRoots(workspace: Workspace, project: Project): string[] {
  const manifest = relative(workspace.root, workspace.manifestPath);
  return [...new Set([project.path, ...workspace.shared, manifest])];
}

/** The files an artifact holds: tracked, present, and not ignored by a `.deployignore`. */
export async function selectArtifactFiles(
  workspace: Workspace,
  project: Project,
  git: GitRepo,
): Promise<{ files: string[]; ignored: number }> {
  const manifest = relative(workspace.root, workspace.manifestPath);
  const rootRules = ignore().add(readIfExists(join(workspace.root, DEPLOYIGNORE)));
  const projectRules = ignore().add(readIfExists(join(project.dir, DEPLOYIGNORE)));
  const tracked = await git.trackedFiles(artifactRoots(workspace, project));
  let ignored = 0;
  const files = tracked.filter((file) => {
    if (file === manifest) return true;
    const inProject = file.startsWith(`${project.path}/`);
    const dropped =
      file.endsWith(DEPLOYIGNORE) ||
      rootRules.ignores(file) ||
      (inProject && projectRules.ignores(file.slice(project.path.length + 1)));
    if (dropped) ignored++;
    return !dropped && existsSync(join(workspace.root, file));
  });
  return { files: [...new Set(files)].sort(), ignored };
}

/** Hashes each file and the list. */
export function describeArtifact(
  root: string,
  project: string,
  files: readonly string[],
  ignored: number,
): ArtifactManifest {
  const described = files.map((path): ArtifactFile => {
    const full = join(root, path);
    const link = lstatSync(full).isSymbolicLink();
    const data = readFileSync(full);
    const mode = !link && statSync(full).mode & 0o111 ? 755 : 644;
    return { path, size: data.length, mode, sha256: createHash("sha256").update(data).digest("hex") };
  });
  const hash = createHash("sha256")
    .update(described.map((f) => `${f.sha256} ${f.mode} ${f.path}\n`).join(""))
    .digest("hex");
  return { project, files: described, hash, ignored };
}

/** Packs the files into a gzipped tarball at `out`. */
export async function packArtifact(root: string, files: readonly string[], out: string): Promise<void> {
  await createTar({ gzip: true, file: out, cwd: root, portable: true, mtime: FIXED_MTIME, noDirRecurse: true }, [
    ...files,
  ]);
}

/**
 * Copies the files into `dir` as the release will hold them: the manifest trimmed to the release's projects.
 * The artifact is described and packed from there, so its hash is the hash of what ships.
 */
export function stageArtifact(workspace: Workspace, project: Project, files: readonly string[], dir: string): void {
  const manifest = relative(workspace.root, workspace.manifestPath);
  for (const file of files) {
    const to = join(dir, file);
    mkdirSync(dirname(to), { recursive: true });
    if (file === manifest) {
      const trimmed = trimManifest(
        readFileSync(workspace.manifestPath, "utf8"),
        releaseProjects(workspace, project.name),
      );
      writeFileSync(to, trimmed);
    } else cpSync(join(workspace.root, file), to, { verbatimSymlinks: true });
  }
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}
