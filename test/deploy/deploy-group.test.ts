/**
 * A group's deploy after the gates (deploy-group.ts, group-end.ts, switch.ts, lock-hold.ts) against recording
 * targets: the order of every move on every host, and the records written, on success and on each failure branch.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { deployGroup, type Member } from "../../src/deploy/deploy-group.js";
import { holdLocks, lockOwner } from "../../src/deploy/lock-hold.js";
import type { PlannedProject } from "../../src/deploy/plan.js";
import { findTarget } from "../../src/deploy/targets.js";
import type { DeployRecord } from "../../src/deploy/types.js";
import type { TroError } from "../../src/errors.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import type { Project } from "../../src/workspace/types.js";
import { DESK } from "../helpers/cli.js";
import {
  fakeArtifact,
  type HostScript,
  type RecordingTarget,
  recordingDesk,
  recordingTarget,
} from "../helpers/recording-target.js";

const workspace = loadWorkspace({ cwd: DESK });
const desk = recordingDesk(workspace, "staging");
const { log } = desk;
beforeEach(() => desk.reset());

/** no install or migrate command: the moves under test start at the upload */
const bare = (p: Project): Project => ({ ...p, commands: { ...p.commands, install: undefined, migrate: undefined } });
const host = (project: string, script: HostScript = {}) => desk.host(project, script, bare);

function member(t: RecordingTarget, release: string): Member {
  const serving = t.session.target.internalPorts;
  const planned: PlannedProject = {
    project: t.session.project.name,
    why: "named",
    target: t.session.target,
    release,
    color: "green",
    port: serving[1],
    active: { color: "blue", release: "R1", port: serving[0] },
    sendsOrders: t.session.project.sendsOrders,
    group: [t.session.project.name],
    steps: [],
  };
  const record: DeployRecord = {
    id: "deploy-1",
    kind: "deploy",
    project: planned.project,
    environment: "staging",
    host: t.session.host,
    release,
    previous: "R1",
    commit: "c0ffee2",
    who: "tester@test-host",
    startedAt: new Date(desk.clock.now()).toISOString(),
    gates: [],
    steps: [],
  };
  return { planned, session: t.session, record, artifact: fakeArtifact(release), envFile: "", configDigest: {} };
}

const options = (extra: { signal?: AbortSignal } = {}) => ({
  level: 2 as const,
  monitorSeconds: 30,
  startTimeoutMs: 5_000,
  ...extra,
});

async function serving(project: string, script: HostScript = {}): Promise<RecordingTarget> {
  const t = host(project, script);
  await t.serve("blue", "R1");
  return t;
}

/** argo's new release up and routed, the old one fenced and stopped: the lease is next */
const ARGO_TO_GREEN = [
  "argo: start green R2",
  "argo: switch green R2",
  "argo: drain 8201",
  "argo: fence",
  "argo: stop blue",
];

describe("a group's deploy against recording targets", () => {
  it("an order sender: start idle, switch, drain, fence → stop old → lease to new, monitor, finish", async () => {
    const argo = await serving("argo");
    const gate11 = await deployGroup([member(argo, "R2")], options());
    expect(gate11.status).toBe("pass");
    expect(log).toEqual([...ARGO_TO_GREEN, "argo: lease R2", "argo: confirm R2"]);
    expect(argo.executor.calls.filter((c) => c.kind === "upload")).toHaveLength(1);
    const [record] = await argo.history();
    expect(record).toMatchObject({ outcome: "succeeded", release: "R2" });
    expect(record!.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      "upload:pass",
      "start:pass",
      "switch:pass",
      "handoff:pass",
      "finish:pass",
    ]);
    expect(record!.gates.map((g) => `${g.gate}:${g.status}`)).toEqual(["11:pass"]);
    expect((await argo.readState()).active).toBe("green");
    expect((await argo.readReleases()).find((r) => r.id === "R2")).toMatchObject({ status: "active" });
    expect((await argo.readReleases()).find((r) => r.id === "R2")?.goodAt).toBeDefined();
    expect(argo.leaseHolder()).toBe("R2");
  });

  it("a release that fails health at start is stopped; traffic never moves", async () => {
    const backend = await serving("alpine-backend", { start: { R2: "unhealthy" } });
    await expect(deployGroup([member(backend, "R2")], options())).rejects.toMatchObject({
      code: "TRO_ERR_DEPLOY_FAILED",
      message: expect.stringContaining("failed before the switch (traffic never moved)"),
    });
    expect(log).toEqual(["alpine-backend: start green R2", "alpine-backend: stop green"]);
    expect(backend.routed()).toBe("R1");
    const [record] = await backend.history();
    expect(record).toMatchObject({
      outcome: "failed",
      rollbackReason: expect.stringContaining("did not pass level 2"),
    });
    expect(record!.steps.map((s) => `${s.step}:${s.status}`)).toEqual(["upload:pass", "start:fail"]);
    expect((await backend.readReleases()).find((r) => r.id === "R2")).toMatchObject({ status: "failed" });
    expect((await backend.readState()).inProgress).toBeUndefined();
  });

  it("a switch that fails stops the new release; the old one keeps serving", async () => {
    const backend = await serving("alpine-backend", { switchFails: true });
    await expect(deployGroup([member(backend, "R2")], options())).rejects.toThrow("the front proxy did not answer");
    expect(log).toEqual(["alpine-backend: start green R2", "alpine-backend: stop green"]);
    expect(backend.routed()).toBe("R1");
    const [record] = await backend.history();
    expect(record!.steps.map((s) => `${s.step}:${s.status}`)).toEqual(["upload:pass", "start:pass", "switch:fail"]);
  });

  it("a handoff that fails returns traffic and the lease to the old release, started again", async () => {
    const argo = await serving("argo", { handoffFailsFor: "R2" });
    await expect(deployGroup([member(argo, "R2")], options())).rejects.toThrow("failed and was rolled back");
    expect(log).toEqual([
      ...ARGO_TO_GREEN,
      // the way back: the old release was stopped by the handoff, so it starts cold, then takes traffic and lease
      "argo: start blue R1",
      "argo: switch blue R1",
      "argo: drain 8202",
      "argo: fence",
      "argo: stop green",
      "argo: lease R1",
    ]);
    expect(argo.routed()).toBe("R1");
    expect(argo.leaseHolder()).toBe("R1");
    const [record] = await argo.history();
    expect(record).toMatchObject({ outcome: "rolled-back" });
    expect((await argo.readState()).active).toBe("blue");
  });

  it("gate 11 failing rolls every member back, the last switched first, to the warm old colours", async () => {
    const backend = await serving("alpine-backend", { probeFailsFrom: 3 });
    const argo = await serving("argo");
    await expect(deployGroup([member(backend, "R2"), member(argo, "R2")], options())).rejects.toThrow(
      /level 2 health failed .* after the switch/,
    );
    const moves = log.filter((l) => /switch|stop|lease|start/.test(l));
    expect(moves).toEqual([
      "alpine-backend: start green R2",
      "alpine-backend: switch green R2",
      "argo: start green R2",
      "argo: switch green R2",
      "argo: stop blue",
      "argo: lease R2",
      // argo switched last, so it goes back first; alpine-backend's old colour still runs: warm, no start
      "argo: start blue R1",
      "argo: switch blue R1",
      "argo: stop green",
      "argo: lease R1",
      "alpine-backend: switch blue R1",
      "alpine-backend: stop green",
    ]);
    for (const t of [backend, argo]) {
      const [record] = await t.history();
      expect(record).toMatchObject({ outcome: "rolled-back" });
      expect(record!.gates.map((g) => `${g.gate}:${g.status}`)).toEqual(["11:fail"]);
    }
  });

  it("a lock lost mid-deploy (taken over by another deploy) stops the monitoring window and rolls back", async () => {
    const backend = await serving("alpine-backend", { lockLostAtBeat: 1 });
    const owner = lockOwner(desk.clock, {
      id: "deploy-1",
      who: "tester@test-host",
      host: "test-host",
      command: "deploy alpine-backend to staging",
      project: "alpine-backend",
      environment: "staging",
    });
    const hold = await holdLocks([backend.session], owner, { clock: desk.clock });
    try {
      await expect(deployGroup([member(backend, "R2")], options({ signal: hold.lost }))).rejects.toThrow(
        "the deploy lock of alpine-backend on local was broken or taken over by another deploy during the monitoring window",
      );
    } finally {
      await hold.release();
    }
    expect(log).toEqual([
      "alpine-backend: lock",
      "alpine-backend: start green R2",
      "alpine-backend: switch green R2",
      "alpine-backend: drain 8202",
      "alpine-backend: lock taken over by another deploy",
      "alpine-backend: switch blue R1",
      "alpine-backend: drain 8203",
      "alpine-backend: stop green",
    ]);
    // the lock is the other deploy's now: releasing ours left it alone
    expect((await backend.session.lock.status()).owner?.id).toBe("another-deploy");
    const [record] = await backend.history();
    expect(record).toMatchObject({ outcome: "rolled-back" });
  });
});

describe("a secrets: host target's deploy on two hosts", () => {
  const onHost = (name: string, hostSecrets: HostScript["hostSecrets"]) =>
    recordingTarget({
      project: bare(workspace.projects["alpine-backend"]!),
      target: { ...findTarget(workspace, "staging", "alpine-backend")!, hosts: ["root@a", "root@b"] },
      clock: desk.clock,
      log,
      script: { hostSecrets },
      host: name,
    });

  it("starts nothing anywhere when one host cannot resolve a secret, and records both hosts' steps", async () => {
    const a = onHost("root@a", "resolve");
    const b = onHost("root@b", "missing");
    await a.serve("blue", "R1");
    await b.serve("blue", "R1");
    log.length = 0;
    const members = [member(a, "R2"), member(b, "R2")];
    const failed = await deployGroup(members, options()).catch((e: TroError) => e);
    expect(failed).toMatchObject({ code: "TRO_ERR_SECRET_UNRESOLVED", exitCode: 78 });
    expect((failed as TroError).message).toContain(
      "failed before the switch (traffic never moved): alpine-backend on root@b: secret ANALYTICS_API_KEY of alpine-backend does not resolve on root@b: env:ANALYTICS_API_KEY (ANALYTICS_API_KEY is not set)",
    );
    expect(log.filter((l) => !l.includes("stop"))).toEqual([
      "alpine-backend: secrets check resolve",
      "alpine-backend: secrets check missing",
    ]);
    expect(a.routed()).toBe("R1");
    expect(b.routed()).toBe("R1");
    const steps = async (t: RecordingTarget) => (await t.history()).at(-1)!.steps.map((s) => `${s.step}:${s.status}`);
    expect(await steps(a)).toEqual(["upload:pass", "secrets:pass"]);
    expect(await steps(b)).toEqual(["upload:pass", "secrets:fail"]);
  });

  it("fails as a command, not as a missing secret, when tradeops gives no answer on the host", async () => {
    const a = onHost("root@a", "no-tradeops");
    await a.serve("blue", "R1");
    log.length = 0;
    const failed = await deployGroup([member(a, "R2")], options()).catch((e: TroError) => e);
    expect(failed).toMatchObject({ code: "TRO_ERR_DEPLOY_FAILED", exitCode: 1 });
    expect((failed as TroError).message).toContain(
      "tradeops on root@a could not check the secrets of alpine-backend (exit 127): sh: 1: tradeops: not found",
    );
    expect(log.filter((l) => l.includes("start"))).toEqual([]);
    expect(a.routed()).toBe("R1");
  });
});
