/**
 * A workspace that is a release on a deploy target (`<base>/releases/<id>/`, as a deploy unpacks it): what outlives
 * its releases lives in the target's shared area, so every release of the target opens the same signal log.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The file a deploy writes at the root of every release it unpacks: the release id, its project and files. */
export const RELEASE_MANIFEST = ".tradeops-release.json";

/** The target's persistent area (`<base>/shared/persist`) when `root` is a deployed release; undefined otherwise. */
export function releasePersistRoot(root: string): string | undefined {
  const releases = dirname(root);
  if (basename(releases) !== "releases" || !existsSync(join(root, RELEASE_MANIFEST))) return undefined;
  return join(dirname(releases), "shared", "persist");
}
