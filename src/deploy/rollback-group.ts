/**
 * `tradeops rollback` of a coupled group: a backend and its frontend went out in one deploy, so they come back
 * together — the named project to its known-good (or named) release, every other member with a target to its own
 * release from that same deploy. A member with no release from that deploy stays as it is (and says so).
 */
import { coupledGroup } from "./changes.js";
import { targetLayout } from "./layout.js";
import { lastKnownGood, targetRecords } from "./records.js";
import { type RollbackOptions, rollbackProject } from "./rollback.js";
import { targetFiles } from "./target-files.js";
import { findTarget } from "./targets.js";
import type { DeployRecord, ReleaseRecord } from "./types.js";

async function releasesOf(options: RollbackOptions, project: string) {
  const target = findTarget(options.workspace, options.environment, project)!;
  const records = targetRecords(targetFiles(options.executorFor(target.hosts[0]!)), targetLayout(target.path));
  const [releases, state] = await Promise.all([records.readReleases(), records.readState()]);
  return { releases, serving: state.active ? state.colors[state.active]?.release : undefined };
}

/**
 * Rolls a project and its coupled members back, the named project first.
 * @throws TroError as rollbackProject does; members after a failure are left as they are
 */
export async function rollbackGroup(options: RollbackOptions): Promise<DeployRecord[]> {
  const peers = coupledGroup(options.workspace, options.project).filter(
    (p) => p !== options.project && findTarget(options.workspace, options.environment, p),
  );
  if (!peers.length) return rollbackProject(options);
  const named = await releasesOf(options, options.project);
  const chosen: ReleaseRecord | undefined = options.to
    ? named.releases.find((r) => r.id === options.to)
    : lastKnownGood(named.releases, named.serving);
  const records = await rollbackProject({ ...options, to: chosen?.id ?? options.to });
  for (const peer of peers) {
    const { releases, serving } = await releasesOf(options, peer);
    const match = releases.find((r) => r.deployId === chosen?.deployId && r.status !== "pruned");
    if (!match || match.id === serving) {
      options.onEvent?.({
        type: "note",
        level: match ? "info" : "warn",
        message: match
          ? `${peer} already runs ${match.id}, from the same deploy as ${chosen?.id}`
          : `${peer} has no release from the deploy of ${chosen?.id}; it stays as it is`,
      });
      continue;
    }
    records.push(
      ...(await rollbackProject({
        ...options,
        project: peer,
        to: match.id,
        reason: options.reason ?? `rolled back with ${options.project}`,
      })),
    );
  }
  return records;
}
