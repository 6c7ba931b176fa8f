/**
 * Static frontends: the build command's output is the release (`releases/<id>/public/`), and the target's `current`
 * link is switched to it with one rename(2) — a reader resolves either the old tree or the new one, never a mix,
 * and `current` never goes missing. Rolling back is the same rename to an older release.
 */
import { cpSync, existsSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { TroError } from "../errors.js";
import { ensureOk, sh, tail } from "../exec/command.js";
import { runLocal } from "../exec/local.js";
import type { Project } from "../workspace/types.js";
import { type ArtifactManifest, describeArtifact, packArtifact } from "./artifact.js";
import type { TargetSession } from "./session.js";

/** Inside a static release, the built files live here (the release's own bookkeeping stays outside `current`). */
export const STATIC_DIR = "public";
/** How long a static frontend's build may run. */
export const STATIC_BUILD_TIMEOUT_MS = 15 * 60_000;

// $1 base, $2 the link's target (relative to base): a new link beside `current`, renamed over it (atomic):
// GNU mv -T, else perl's or python's rename(2) (BSD mv would move the link into the directory `current` names)
const SWAP = `set -e; cd "$1"; tmp=".current.$$"; rm -f "$tmp"; ln -s "$2" "$tmp"
if mv -T "$tmp" current 2>/dev/null; then exit 0; fi
if command -v perl >/dev/null 2>&1; then exec perl -e 'rename($ARGV[0], "current") or die "rename: $!\\n"' "$tmp"; fi
exec python3 -c 'import os, sys; os.replace(sys.argv[1], "current")' "$tmp"`;
const READ = 'cd "$1" 2>/dev/null && [ -L current ] && readlink current || true';

/** Where `current` points from the base: `releases/<id>/public`. */
function linkTarget(release: string): string {
  return posix.join("releases", release, STATIC_DIR);
}

/** The link every reader (web server, backend) serves from. */
export function currentLink(session: Pick<TargetSession, "layout">): string {
  return posix.join(session.layout.base, "current");
}

/**
 * Points `current` at a release in one rename.
 * @throws TroError TRO_ERR_COMMAND_FAILED, TRO_ERR_TARGET_UNAVAILABLE
 */
export async function switchCurrent(session: TargetSession, release: string): Promise<void> {
  const { executor, layout } = session;
  ensureOk(
    await executor.run({ argv: sh(SWAP, layout.base, linkTarget(release)) }),
    `point current at ${release}`,
    executor,
  );
}

/** The release `current` points at, if any. */
export async function currentRelease(session: TargetSession): Promise<string | undefined> {
  const out = (await session.executor.run({ argv: sh(READ, session.layout.base) })).stdout.trim();
  const match = /^releases\/([^/]+)\/public$/.exec(out);
  return match?.[1];
}

/** Whether the release `current` points at is whole on the target: its directory and an index are there. */
export async function currentIsWhole(session: TargetSession): Promise<{ ok: boolean; release?: string }> {
  const release = await currentRelease(session);
  if (!release) return { ok: false };
  const dir = posix.join(session.layout.base, linkTarget(release));
  const result = await session.executor.run({ argv: sh('[ -d "$1" ] && [ -n "$(ls -A "$1")" ]', dir) });
  return { ok: result.code === 0, release };
}

/**
 * Builds a static frontend on this machine (its build command in its directory) and packs its output directory.
 * @throws TroError TRO_ERR_GATE_FAILED when the build fails or leaves the output directory empty
 */
export async function buildStaticArtifact(
  project: Project,
  dir: string,
  tarball: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ manifest: ArtifactManifest; tarball: string; dir: string }> {
  const line = project.commands.build!;
  const result = await runLocal(
    { argv: ["sh", "-c", line], cwd: project.dir, timeoutMs: STATIC_BUILD_TIMEOUT_MS },
    { baseEnv: env, group: true },
  );
  if (result.code !== 0) {
    throw new TroError(
      "TRO_ERR_GATE_FAILED",
      `The build of ${project.name} (\`${line}\`) exited ${result.code}: ${tail(result.stderr || result.stdout, 3).replace(/\n/g, " | ")}.`,
      { hint: "Nothing was shipped. Fix the build and deploy again." },
    );
  }
  const out = join(project.dir, project.outputDir!);
  const files = existsSync(out) ? listFiles(out).map((f) => posix.join(STATIC_DIR, f)) : [];
  if (!files.length) {
    throw new TroError(
      "TRO_ERR_GATE_FAILED",
      `The build of ${project.name} left nothing in ${project.outputDir} (projects.${project.name}.outputDir).`,
      { hint: "Point outputDir at the directory the build command writes." },
    );
  }
  const staged = join(dir, project.name);
  cpSync(out, join(staged, STATIC_DIR), { recursive: true, verbatimSymlinks: true });
  files.sort();
  await packArtifact(staged, files, tarball);
  return { manifest: describeArtifact(staged, project.name, files, 0), tarball, dir: staged };
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(root, full).split("\\").join("/"));
    }
  };
  walk(root);
  return out;
}
