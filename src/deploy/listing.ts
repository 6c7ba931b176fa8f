/**
 * Reading what targets remember, for `tradeops releases`, `history` and `lock`: each target is asked through its
 * executor, so the answer is the target's own record wherever the deploy ran from.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { Executor } from "../exec/command.js";
import type { Workspace } from "../workspace/types.js";
import { type DeployClock, isoNow, systemClock } from "./clock.js";
import { targetLayout } from "./layout.js";
import { type LockOwner, type LockStatus, openDeployLock } from "./lock.js";
import { persistentLocation } from "./persist.js";
import { type TargetState, targetRecords } from "./records.js";
import { targetFiles } from "./target-files.js";
import { findTarget, projectsWithTargets } from "./targets.js";
import type { DeployRecord, ReleaseRecord, ResolvedTarget } from "./types.js";

export interface TargetView {
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly host: string;
  readonly target: ResolvedTarget;
}

/** Every (project, host) of an environment's targets, or of one project. */
export function targetViews(workspace: Workspace, environment: EnvironmentName, project?: string): TargetView[] {
  const projects = project ? [project] : projectsWithTargets(workspace, environment);
  return projects.flatMap((p) => {
    const target = findTarget(workspace, environment, p);
    return target ? target.hosts.map((host) => ({ project: p, environment, host, target })) : [];
  });
}

export interface ReleasesView extends TargetView {
  readonly releases: readonly ReleaseRecord[];
  readonly state: TargetState;
  /** the persistent paths every release links, and where they are kept */
  readonly persist: readonly { readonly path: string; readonly location: string }[];
}

/** The releases kept on a target, newest first, with the colours. */
export async function readReleases(view: TargetView, executor: Executor): Promise<ReleasesView> {
  const records = targetRecords(targetFiles(executor), targetLayout(view.target.path));
  const [releases, state] = await Promise.all([records.readReleases(), records.readState()]);
  const layout = targetLayout(view.target.path);
  const persist = view.target.persist.map((path) => ({ path, location: persistentLocation({ layout }, path) }));
  return { ...view, releases: [...releases].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)), state, persist };
}

/** The history of a target, newest first. */
export async function readHistory(view: TargetView, executor: Executor): Promise<DeployRecord[]> {
  const records = targetRecords(targetFiles(executor), targetLayout(view.target.path));
  return (await records.readHistory()).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

/** A target's deploy lock, as `lock status` shows it. */
export async function readLock(view: TargetView, executor: Executor, hostname: string): Promise<LockStatus> {
  const layout = targetLayout(view.target.path);
  return openDeployLock({ files: targetFiles(executor), layout, hostname }).status();
}

/** Breaks a target's lock and records who broke it, why, and whose lock it was. */
export async function breakLock(
  view: TargetView,
  executor: Executor,
  options: { readonly hostname: string; readonly who: string; readonly reason: string; readonly clock?: DeployClock },
): Promise<LockOwner | undefined> {
  const files = targetFiles(executor);
  const layout = targetLayout(view.target.path);
  const owner = await openDeployLock({ files, layout, hostname: options.hostname }).breakLock();
  const now = isoNow(options.clock ?? systemClock);
  await targetRecords(files, layout).appendHistory({
    id: `${now.replace(/[-:.]/g, "").slice(0, 15)}Z-lock-break`,
    kind: "lock-break",
    project: view.project,
    environment: view.environment,
    host: view.host,
    release: owner?.release ?? "",
    commit: "",
    who: options.who,
    startedAt: now,
    finishedAt: now,
    gates: [],
    steps: [],
    reason: `${options.reason}${owner ? ` (the lock was held by ${owner.who}, pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})` : " (no lock was held)"}`,
  });
  return owner;
}
