/**
 * A workspace that is a release on a deploy target (`<base>/releases/<id>/`, as a deploy unpacks it): what outlives
 * its releases lives in the target's shared area, so every release of the target opens the same signal log.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Directory names of a target's layout (`src/deploy/layout.ts` builds the whole layout from them). */
export const RELEASES_DIR = "releases";
export const SHARED_DIR = "shared";
/** below SHARED_DIR: the project's persistent paths, and a deployed release's relative signal store */
export const PERSIST_DIR = "persist";

/** The file a deploy writes at the root of every release it unpacks: the release id, its project and files. */
export const RELEASE_MANIFEST = ".tradeops-release.json";

/** The target's persistent area (`<base>/shared/persist`) when `root` is a deployed release; undefined otherwise. */
export function releasePersistRoot(root: string): string | undefined {
  const releases = dirname(root);
  if (basename(releases) !== RELEASES_DIR || !existsSync(join(root, RELEASE_MANIFEST))) return undefined;
  return join(dirname(releases), SHARED_DIR, PERSIST_DIR);
}
