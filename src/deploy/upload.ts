/**
 * Putting a release on a target: ship the tarball, check its SHA-256 there, unpack it into `releases/<id>/`, link
 * the persistent paths (persist.ts), write
 * the release manifest and the 0600 env file, then run the project's install and (idempotent) migrate commands in
 * the release's directory with that env file (and, with `secrets: host`, through the host's `tradeops run`).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { TroError } from "../errors.js";
import { ensureOk, sh, tail } from "../exec/command.js";
import { RELEASE_MANIFEST } from "../workspace/release.js";
import type { ArtifactManifest } from "./artifact.js";
import { TARGET_COMMAND_TIMEOUT_MS } from "./constants.js";
import { releaseShell } from "./host-secrets.js";
import { linkPersistentPaths } from "./persist.js";
import type { TargetSession } from "./session.js";

/** The manifest written into every release directory. */
export { RELEASE_MANIFEST };

const UNPACK =
  'set -e; rm -rf "$2.part"; mkdir -p "$2.part"; tar -xzf "$1" -C "$2.part"; rm -rf "$2"; mv "$2.part" "$2"; rm -f "$1"';
const SHA = 'if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi';

/**
 * Uploads and unpacks a release, and writes its env file.
 * @throws TroError TRO_ERR_TARGET_UNAVAILABLE, TRO_ERR_COMMAND_FAILED, TRO_ERR_DEPLOY_FAILED (checksum mismatch)
 */
export async function uploadRelease(
  session: TargetSession,
  release: string,
  tarball: string,
  manifest: ArtifactManifest,
  envFile: string,
): Promise<void> {
  const { executor, layout, files } = session;
  await files.mkdirs(
    layout.releasesDir,
    layout.logsDir,
    layout.runnerDir,
    layout.leaseDir,
    layout.envDir,
    layout.proxyDir,
  );
  const remote = layout.tarball(release);
  await executor.upload(tarball, remote);
  const expected = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  const actual = ensureOk(
    await executor.run({ argv: sh(SHA, remote) }),
    "checksum the artifact",
    executor,
  ).stdout.split(/\s/)[0];
  if (actual !== expected) {
    await files.remove(remote);
    throw new TroError(
      "TRO_ERR_DEPLOY_FAILED",
      `The artifact of ${release} arrived damaged on ${executor.host} (SHA-256 differs).`,
      {
        hint: "Nothing was switched. Retry the deploy; check the disk and the connection if it happens again.",
      },
    );
  }
  ensureOk(await executor.run({ argv: sh(UNPACK, remote, layout.release(release)) }), `unpack ${release}`, executor);
  await linkPersistentPaths(session, release);
  await files.writeJson(posix.join(layout.release(release), RELEASE_MANIFEST), { release, ...manifest });
  await files.write(layout.envFile(release), envFile);
}

/**
 * Runs a project command (install, migrate) in the release's project directory with its env file; with
 * `secrets: host`, through the host's `tradeops run PROJECT -- sh -c LINE`, so that it gets the secrets resolved there.
 */
export async function runReleaseCommand(
  session: TargetSession,
  release: string,
  kind: "install" | "migrate",
): Promise<string> {
  const line = session.project.commands[kind];
  if (!line) return "";
  const { executor, layout } = session;
  const result = await executor.run({
    argv: releaseShell(session, release, line),
    cwd: layout.workdir(release, session.project.path),
    env: { TRADEOPS_WORKSPACE: layout.release(release), TRADEOPS_RELEASE: release },
    timeoutMs: TARGET_COMMAND_TIMEOUT_MS,
  });
  if (result.code !== 0) {
    throw new TroError(
      "TRO_ERR_DEPLOY_FAILED",
      `${kind} of ${release} failed on ${executor.host} (\`${line}\` exited ${result.code}): ${tail(result.stderr || result.stdout, 2).replace(/\n/g, " | ")}.`,
      {
        hint: `Nothing was switched; ${kind === "migrate" ? "migrations must be idempotent and backward compatible" : "fix the command"} and deploy again.`,
      },
    );
  }
  return `${(result.durationMs / 1000).toFixed(1)} s`;
}
