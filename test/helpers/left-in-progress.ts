/**
 * A recording target left as a dead deploy leaves it, for the tests of a rollback's dry run: releases that passed
 * gate 11 and one that did not, the deploy recorded in progress, and the bytes of the records to compare.
 */
import type { DeployClock } from "../../src/deploy/clock.js";
import type { DeployEvent } from "../../src/deploy/events.js";
import type { InProgress } from "../../src/deploy/records.js";
import { rollback } from "../../src/deploy/rollback.js";
import type { TargetSession } from "../../src/deploy/session.js";
import type { Workspace } from "../../src/workspace/types.js";
import { type RecordingTarget, releaseRecord } from "./recording-target.js";

/** A deploy of R2 into green, replacing R1 on blue, that died during `step`. */
export const DIED = {
  id: "deploy-9",
  kind: "deploy",
  release: "R2",
  color: "green",
  previousActive: "blue",
  previousRelease: "R1",
  step: "monitor",
} as const satisfies Omit<InProgress, "startedAt" | "who">;

/** R0 and R1 passed gate 11 (R1 the newer); R2 never did. */
export async function keepReleases(t: RecordingTarget): Promise<void> {
  const project = t.session.project.name;
  const { goodAt: _, ...r2 } = releaseRecord("R2", project, 2, "started");
  await t.session.records.writeReleases([
    releaseRecord("R0", project, 0, "inactive"),
    releaseRecord("R1", project, 1, "inactive"),
    r2,
  ]);
}

/** Records `inProgress` as left by a deploy or rollback that died, and clears the effect log. */
export async function leaveInProgress(
  t: RecordingTarget,
  inProgress: Omit<InProgress, "startedAt" | "who">,
): Promise<void> {
  const state = await t.readState();
  state.inProgress = { ...inProgress, startedAt: "2026-11-18T09:59:00.000Z", who: "other@elsewhere" };
  await t.session.records.writeState(state);
  t.log.length = 0;
}

/** The bytes of the target's records: state, releases, history. */
export async function recordBytes(t: RecordingTarget): Promise<(string | undefined)[]> {
  const { layout, files } = t.session;
  return Promise.all([layout.state, layout.releases, layout.history].map((p) => files.read(p)));
}

/** A session that counts the times the front proxy is made to run. */
export function watched(t: RecordingTarget): { session: TargetSession; ensured: () => number } {
  let ensured = 0;
  const proxy = {
    ...t.session.proxy,
    ensure: () => {
      ensured++;
      return t.session.proxy.ensure();
    },
  };
  return { session: { ...t.session, proxy }, ensured: () => ensured };
}

/** A rollback of one session's project alone, in staging, on the desk's clock; its events go to `events`. */
export function rollbackOf(workspace: Workspace, clock: DeployClock, events: DeployEvent[]) {
  return (session: TargetSession, extra: { dryRun?: boolean } = {}) =>
    rollback({
      onEvent: (e) => void events.push(e),
      workspace,
      environment: "staging",
      project: session.project.name,
      who: "tester@test-host",
      hostname: "test-host",
      command: "rollback",
      executorFor: () => session.executor,
      sessionFor: () => session,
      alone: true,
      clock,
      ...extra,
    });
}
