/**
 * Keep N releases (`keepReleases`): the newest stay on disk for instant rollbacks; older directories are removed and
 * their records marked `pruned` (the history keeps them). Never removed: what runs in either colour, and the last
 * known-good release.
 */
import { lastKnownGood, type TargetState } from "./records.js";
import type { TargetSession } from "./session.js";

/** Removes old release directories; returns the ids removed. */
export async function pruneReleases(session: TargetSession): Promise<string[]> {
  const releases = await session.records.readReleases();
  const state: TargetState = await session.records.readState();
  const keep = new Set<string>();
  for (const color of Object.values(state.colors)) if (color) keep.add(color.release);
  const good = lastKnownGood(releases);
  if (good) keep.add(good.id);
  const present = releases.filter((r) => r.status !== "pruned").sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  for (const r of present.slice(0, session.target.keepReleases)) keep.add(r.id);
  const doomed = present.filter((r) => !keep.has(r.id));
  if (!doomed.length) return [];
  await session.files.remove(...doomed.flatMap((r) => [session.layout.release(r.id), session.layout.envFile(r.id)]));
  const ids = new Set(doomed.map((r) => r.id));
  for (const r of releases) if (ids.has(r.id)) r.status = "pruned";
  await session.records.writeReleases(releases);
  return [...ids];
}
