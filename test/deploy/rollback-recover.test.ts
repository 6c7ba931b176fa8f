/**
 * Rollback as a plan (rollback-plan.ts) carried out under the lock (rollback.ts), and recovery of a dead deploy
 * (recover.ts), against recording targets: the moves in order and the records written.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { recoverTarget } from "../../src/deploy/recover.js";
import { rollback } from "../../src/deploy/rollback.js";
import { planRollback, type RollbackMember } from "../../src/deploy/rollback-plan.js";
import { findTarget } from "../../src/deploy/targets.js";
import type { TroError } from "../../src/errors.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";
import { DIED } from "../helpers/left-in-progress.js";
import { type HostScript, type RecordingTarget, recordingDesk, releaseRecord } from "../helpers/recording-target.js";

const workspace = loadWorkspace({ cwd: DESK });
const desk = recordingDesk(workspace, "staging");
const { log } = desk;
const host = (project: string, script: HostScript = {}) => desk.host(project, script);
beforeEach(() => desk.reset());

/** R2 serves on blue after R1 (known-good) served on green; R1 still runs on green when `warm`. */
async function afterDeploy(project: string, warm: boolean, script: HostScript = {}): Promise<RecordingTarget> {
  const t = host(project, script);
  await t.serve("blue", "R2", warm ? "R1" : undefined);
  await t.session.records.writeReleases([releaseRecord("R1", project, 1, "inactive"), releaseRecord("R2", project, 2)]);
  log.length = 0;
  return t;
}

const run = (t: RecordingTarget, extra: { to?: string; dryRun?: boolean } = {}) =>
  rollback({
    workspace,
    environment: "staging",
    project: t.session.project.name,
    who: "tester@test-host",
    hostname: "test-host",
    command: "rollback",
    executorFor: () => t.executor,
    sessionFor: () => t.session,
    alone: true,
    clock: desk.clock,
    ...extra,
  });

describe("planRollback", () => {
  const target = findTarget(workspace, "staging", "argo")!;
  const member = (idle?: string): RollbackMember => ({
    project: "argo",
    target,
    sendsOrders: true,
    hosts: [
      {
        host: "local",
        serving: { color: "blue", release: "R2", port: target.internalPorts[0] },
        ...(idle ? { idle } : {}),
        releases: [releaseRecord("R1", "argo", 1, "inactive"), releaseRecord("R2", "argo", 2)],
      },
    ],
  });
  const request = {
    project: "argo",
    environment: "staging" as const,
    now: new Date(0),
    nonce: "ab12",
    healthLevel: 2 as const,
  };

  it("returns to the last known-good release in the other colour: warm when it still runs there", () => {
    const warm = planRollback(request, [member("R1")]);
    expect(warm.refusal).toBeUndefined();
    expect(warm.moves).toEqual([
      expect.objectContaining({
        from: { color: "blue", release: "R2", port: target.internalPorts[0] },
        to: { color: "green", release: "R1", port: target.internalPorts[1] },
        warm: true,
        handoff: "file lease",
      }),
    ]);
    expect(planRollback(request, [member()]).moves[0]!.warm).toBe(false);
  });

  it("refuses a release that is not on the target, and one that already serves", () => {
    expect(planRollback({ ...request, to: "R9" }, [member()]).refusal).toMatchObject({
      code: "TRO_ERR_USAGE",
      message: "Release R9 of argo is not on local.",
    });
    expect(planRollback({ ...request, to: "R2" }, [member()]).refusal?.message).toBe(
      "R2 already serves argo in staging.",
    );
  });

  it("goes to a failed release only when --release names it, and says that it failed", () => {
    const failed = member();
    const host = failed.hosts[0]!;
    const { goodAt: _, ...never } = releaseRecord("R1", "argo", 1, "failed");
    const r1 = { ...never, reason: "install of R1 failed on local" };
    const withFailed = { ...failed, hosts: [{ ...host, releases: [r1, host.releases[1]!] }] };
    expect(planRollback(request, [withFailed]).refusal?.message).toBe(
      "argo has no known-good release other than R2 on local.",
    );
    const named = planRollback({ ...request, to: "R1" }, [withFailed]);
    expect(named.moves).toEqual([expect.objectContaining({ to: expect.objectContaining({ release: "R1" }) })]);
    expect(named.notes).toEqual([
      {
        level: "warn",
        message:
          "argo on local: R1 failed here (install of R1 failed on local); it starts again because --release names it",
      },
    ]);
  });
});

describe("rollback through the plan, under the lock", () => {
  it("to a warm release: one switch, no start; the records say so", async () => {
    const argo = await afterDeploy("argo", true);
    const { plan, records } = await run(argo);
    expect(plan.moves[0]).toMatchObject({ warm: true });
    expect(log).toEqual([
      "argo: lock",
      "argo: switch green R1",
      "argo: drain 8201",
      "argo: fence",
      "argo: stop blue",
      "argo: lease R1",
      "argo: unlock",
    ]);
    expect(records[0]).toMatchObject({ kind: "rollback", outcome: "succeeded", release: "R1", previous: "R2" });
    expect(records[0]!.steps[0]).toMatchObject({ step: "rollback", detail: "warm" });
    expect(await argo.history()).toEqual(records);
    const releases = await argo.readReleases();
    expect(releases.map((r) => `${r.id}:${r.status}`)).toEqual(["R1:active", "R2:inactive"]);
    expect((await argo.readState()).active).toBe("green");
  });

  it("to a cold release: started and healthy before the switch", async () => {
    const backend = await afterDeploy("alpine-backend", false);
    const { records } = await run(backend);
    expect(log).toEqual([
      "alpine-backend: lock",
      "alpine-backend: start green R1",
      "alpine-backend: switch green R1",
      "alpine-backend: drain 8202",
      "alpine-backend: stop blue",
      "alpine-backend: unlock",
    ]);
    expect(records[0]!.steps[0]).toMatchObject({ detail: "cold start" });
  });

  it("--dry-run plans without a lock and moves nothing", async () => {
    const backend = await afterDeploy("alpine-backend", true);
    const { plan, records } = await run(backend, { dryRun: true });
    expect(plan.moves).toHaveLength(1);
    expect(records).toEqual([]);
    expect(log).toEqual([]);
  });

  it("a cold release that cannot start: the current one keeps serving, the attempt is recorded as failed", async () => {
    const backend = await afterDeploy("alpine-backend", false, { start: { R1: "exit" } });
    await expect(run(backend)).rejects.toMatchObject({ code: "TRO_ERR_DEPLOY_FAILED" });
    expect(backend.routed()).toBe("R2");
    expect(log.at(-1)).toBe("alpine-backend: unlock");
    // the attempt is in the history, and nothing is left in progress for a later command to "recover"
    const state = await backend.readState();
    expect(state).toMatchObject({ active: "blue", colors: { blue: { release: "R2" } } });
    expect(state.inProgress).toBeUndefined();
    const [failed] = (await backend.history()).slice(-1);
    expect(failed).toMatchObject({ kind: "rollback", outcome: "failed", release: "R1", previous: "R2" });
    expect(failed!.reason).toMatch(/^Could not bring R1 back: .*; R2 keeps serving\.$/);
    expect(failed!.steps).toEqual([expect.objectContaining({ step: "rollback", status: "fail" })]);
    expect((await backend.readReleases()).map((r) => `${r.id}:${r.status}`)).toEqual(["R1:inactive", "R2:active"]);
  });

  it("a secrets: host release whose host lost its key: refused by the host's check (78) before anything starts", async () => {
    const backend = await afterDeploy("alpine-backend", false, { hostSecrets: "missing" });
    const message =
      "secret ANALYTICS_API_KEY of alpine-backend does not resolve on local: env:ANALYTICS_API_KEY (ANALYTICS_API_KEY is not set)";
    // the dry run asks the host as the rollback will, and refuses as it will
    const dry = await run(backend, { dryRun: true }).catch((e: TroError) => e);
    expect(dry).toMatchObject({ code: "TRO_ERR_SECRET_UNRESOLVED", exitCode: 78, message });
    expect(log).toEqual(["alpine-backend: secrets check missing"]);
    log.length = 0;
    const failed = await run(backend).catch((e: TroError) => e);
    expect(failed).toMatchObject({ code: "TRO_ERR_SECRET_UNRESOLVED", exitCode: 78, message });
    expect(log).toEqual(["alpine-backend: lock", "alpine-backend: secrets check missing", "alpine-backend: unlock"]);
    expect(backend.routed()).toBe("R2");
    const state = await backend.readState();
    expect(state.active).toBe("blue");
    expect(state.inProgress).toBeUndefined();
  });
});

/** A deploy of R2 into green, replacing R1 on blue, that died during `step`. */
async function interrupted(t: RecordingTarget, step: string): Promise<void> {
  const state = await t.readState();
  state.inProgress = { ...DIED, step, startedAt: "", who: "tester" };
  await t.session.records.writeState(state);
  log.length = 0;
}

describe("recovery of a deploy that died", () => {
  it("a release that took traffic but never passed gate 11 gives it back to the one it replaced", async () => {
    const backend = host("alpine-backend");
    await backend.serve("green", "R2", "R1");
    await interrupted(backend, "monitor");
    const record = await recoverTarget(backend.session, { level: 2, timeoutMs: 5_000, who: "t", reason: "stale lock" });
    expect(log).toEqual(["alpine-backend: switch blue R1", "alpine-backend: drain 8203", "alpine-backend: stop green"]);
    expect(record).toMatchObject({ kind: "recovery", outcome: "rolled-back", release: "R1", previous: "R2" });
    expect(record!.reason).toContain("R2 took traffic but never passed gate 11; returned to R1 (warm)");
    expect((await backend.readState()).inProgress).toBeUndefined();
    expect((await backend.readReleases()).find((r) => r.id === "R2")?.status).toBe("failed");
  });

  it("a release that never took traffic is stopped; the one serving keeps serving", async () => {
    const backend = host("alpine-backend");
    await backend.serve("blue", "R1", "R2");
    await interrupted(backend, "start");
    const record = await recoverTarget(backend.session, { level: 2, timeoutMs: 5_000, who: "t", reason: "stale lock" });
    expect(log).toEqual(["alpine-backend: stop green"]);
    expect(record).toMatchObject({ outcome: "interrupted", release: "R1" });
    expect(record!.reason).toContain("R2 never took traffic (R1 kept serving); stopped");
    expect(backend.routed()).toBe("R1");
  });
});
