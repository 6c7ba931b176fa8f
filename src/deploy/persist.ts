/**
 * Persistent paths (Capistrano's linked dirs and files): `targets.ENV.PROJECT.persist: [data/, trades.db]` live
 * in the target's shared/persist/, and every release links them in place of its own copy, so the SQLite rows
 * of release 1 are still there in release 2 and after a rollback. The first deploy seeds a missing one from the
 * release's copy (or creates it empty). Nothing here ever deletes what shared/persist/ holds.
 */
import { posix } from "node:path";
import { ensureOk, sh } from "../exec/command.js";
import type { TargetSession } from "./session.js";

// $1 the release's project directory, $2 shared/persist; then the paths. A path ending in / is a directory.
const LINK = `set -e; work="$1"; store="$2"; shift 2
for p in "$@"; do
  case "$p" in */) dir=1; p="\${p%/}";; *) dir=0;; esac
  dest="$store/$p"; src="$work/$p"
  if [ ! -e "$dest" ] && [ ! -L "$dest" ]; then
    mkdir -p "$(dirname "$dest")"
    if [ -e "$src" ] && [ ! -L "$src" ]; then cp -a "$src" "$dest"; elif [ "$dir" = 1 ]; then mkdir -p "$dest"; else : > "$dest"; fi
    echo "seeded $p"
  fi
  mkdir -p "$(dirname "$src")"
  rm -rf "$src"
  ln -s "$dest" "$src"
done`;

/** Where a persistent path lives on the target. */
export function persistentLocation(session: Pick<TargetSession, "layout">, path: string): string {
  return posix.join(session.layout.persistDir, path.replace(/\/+$/, ""));
}

/**
 * Links the target's persistent paths into a release; returns the ones seeded now (first deploy).
 * @throws TroError TRO_ERR_COMMAND_FAILED, TRO_ERR_TARGET_UNAVAILABLE
 */
export async function linkPersistentPaths(session: TargetSession, release: string): Promise<string[]> {
  const paths = session.target.persist;
  if (!paths.length) return [];
  const { executor, layout } = session;
  const result = ensureOk(
    await executor.run({
      argv: sh(LINK, layout.workdir(release, session.project.path), layout.persistDir, ...paths),
    }),
    `link the persistent paths of ${release}`,
    executor,
  );
  return result.stdout
    .split("\n")
    .filter((l) => l.startsWith("seeded "))
    .map((l) => l.slice("seeded ".length));
}
