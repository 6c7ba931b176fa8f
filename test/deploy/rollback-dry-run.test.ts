/**
 * `rollback --dry-run` on a target where a deploy was left in progress: it reads only, forecasts the recovery a real
 * rollback runs first, and plans from what that recovery leaves — the plan the real rollback then makes and follows.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { describeRollbackPlan } from "../../src/cli/render/deploy.js";
import type { DeployEvent } from "../../src/deploy/events.js";
import { forecastHost } from "../../src/deploy/rollback-observe.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";
import { DIED, keepReleases, leaveInProgress, recordBytes, rollbackOf, watched } from "../helpers/left-in-progress.js";
import { recordingDesk } from "../helpers/recording-target.js";

const workspace = loadWorkspace({ cwd: DESK });
const desk = recordingDesk(workspace, "staging");
const { log } = desk;
const events: DeployEvent[] = [];
beforeEach(() => {
  desk.reset();
  events.length = 0;
});

const run = rollbackOf(workspace, desk.clock, events);

describe("rollback --dry-run with a deploy left in progress", () => {
  it("one that took traffic: the plan starts where the recovery's return leaves it, and is the one followed", async () => {
    const argo = desk.host("argo");
    await argo.serve("green", "R2", "R1");
    await keepReleases(argo);
    await leaveInProgress(argo, DIED);
    const dry = await run(argo.session, { dryRun: true });
    expect(log).toEqual([]);
    expect(dry.plan.recoveries).toEqual([
      {
        project: "argo",
        host: "local",
        inProgress: { id: "deploy-9", kind: "deploy", step: "monitor", release: "R2", color: "green" },
        outcome: "rolled-back",
        actions: [
          "traffic returns from R2 (green) to R1 (blue, warm: it still runs there)",
          "the executor lease goes to R1",
          "R2 is marked failed (interrupted during monitor)",
          "R1 serves on blue",
        ],
        unknowns: [],
      },
    ]);
    // planned from the unrecovered state, this would have been R2 → R1, warm
    expect(dry.plan.moves).toEqual([
      expect.objectContaining({ from: expect.objectContaining({ release: "R1", color: "blue" }), warm: false }),
    ]);
    expect(dry.plan.moves[0]!.to).toMatchObject({ release: "R0", color: "green" });
    const text = describeRollbackPlan(dry.plan).join("\n");
    expect(text).toContain(
      "first, recovery of argo on local: the deploy deploy-9 was left in progress (step monitor, R2 in green)",
    );
    expect(text).toContain("    - traffic returns from R2 (green) to R1 (blue, warm: it still runs there)");

    expect(events).toEqual([]);
    const real = await run(argo.session);
    expect(real.plan.moves).toEqual(dry.plan.moves);
    expect(events).toContainEqual({
      type: "note",
      level: "warn",
      message:
        "recovered argo on local: found a deploy left in progress; the deploy deploy-9 died during monitor; R2 took traffic but never passed gate 11; returned to R1 (warm)",
    });
    expect(log).toEqual([
      "argo: lock",
      // the recovery
      "argo: switch blue R1",
      "argo: drain 8202",
      "argo: fence",
      "argo: stop green",
      "argo: lease R1",
      // the planned move
      "argo: start green R0",
      "argo: switch green R0",
      "argo: drain 8201",
      "argo: fence",
      "argo: stop blue",
      "argo: lease R0",
      "argo: unlock",
    ]);
    expect(real.records[0]).toMatchObject({ release: "R0", previous: "R1", outcome: "succeeded" });
  });

  it("one that never took traffic: the colour it started is stopped first, so the return is cold, not warm", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("blue", "R1", "R0");
    await keepReleases(backend);
    // a rollback to R0 that started it in green and died before its switch
    await leaveInProgress(backend, {
      id: "rollback-7",
      kind: "rollback",
      release: "R0",
      color: "green",
      previousActive: "blue",
      previousRelease: "R1",
      step: "switch",
    });
    const dry = await run(backend.session, { dryRun: true });
    expect(log).toEqual([]);
    expect(dry.plan.recoveries?.[0]).toMatchObject({
      inProgress: { id: "rollback-7", kind: "rollback", step: "switch" },
      outcome: "interrupted",
      actions: ["R0 (green) is stopped", "R0 is marked failed (interrupted during switch)", "R1 serves on blue"],
    });
    // planned from the unrecovered state, this would have been an instant switch to R0, still warm in green
    expect(dry.plan.moves).toEqual([
      expect.objectContaining({
        from: expect.objectContaining({ release: "R1", color: "blue" }),
        to: expect.objectContaining({ release: "R0", color: "green" }),
        warm: false,
      }),
    ]);
    expect(dry.plan.notes).toEqual([]);
    const real = await run(backend.session);
    expect(real.plan.moves).toEqual(dry.plan.moves);
    expect(log).toEqual([
      "alpine-backend: lock",
      "alpine-backend: stop green",
      "alpine-backend: start green R0",
      "alpine-backend: switch green R0",
      "alpine-backend: drain 8202",
      "alpine-backend: stop blue",
      "alpine-backend: unlock",
    ]);
  });

  it("one whose return starts the replaced release cold: said as what only starting it would tell", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("green", "R2");
    await keepReleases(backend);
    await leaveInProgress(backend, DIED);
    const dry = await run(backend.session, { dryRun: true });
    expect(log).toEqual([]);
    expect(dry.plan.recoveries?.[0]?.actions[0]).toBe(
      "traffic returns from R2 (green) to R1 (blue, cold: it starts there and must pass health first)",
    );
    expect(dry.plan.notes).toEqual([
      {
        level: "warn",
        message:
          "alpine-backend on local: whether R1 starts healthy in blue is known only by starting it: if it does not, the rollback stops there and R2 keeps serving",
      },
    ]);
    const real = await run(backend.session);
    expect(real.plan.moves).toEqual(dry.plan.moves);
    expect(log.slice(0, 5)).toEqual([
      "alpine-backend: lock",
      "alpine-backend: start blue R1",
      "alpine-backend: switch blue R1",
      "alpine-backend: drain 8203",
      "alpine-backend: stop green",
    ]);
    expect(real.records[0]).toMatchObject({ release: "R0", previous: "R1", outcome: "succeeded" });
  });

  it("one whose cold return is to a secrets: host release the host cannot resolve: refused (78) as it will be", async () => {
    const backend = desk.host("alpine-backend", { hostSecrets: "missing" });
    await backend.serve("green", "R2");
    await keepReleases(backend);
    await leaveInProgress(backend, DIED);
    const message =
      "secret ANALYTICS_API_KEY of alpine-backend does not resolve on local: env:ANALYTICS_API_KEY (ANALYTICS_API_KEY is not set)";
    // the recovery's forecast itself asks (the rollback's own cold move would ask next)
    await expect(forecastHost(backend.session)).rejects.toMatchObject({ exitCode: 78, message });
    expect(log).toEqual(["alpine-backend: secrets check missing"]);
    log.length = 0;
    await expect(run(backend.session, { dryRun: true })).rejects.toMatchObject({ exitCode: 78, message });
    expect(log).toEqual(["alpine-backend: secrets check missing"]);
    log.length = 0;
    await expect(run(backend.session)).rejects.toMatchObject({ exitCode: 78, message });
    expect(log).toEqual(["alpine-backend: lock", "alpine-backend: secrets check missing", "alpine-backend: unlock"]);
    expect(backend.routed()).toBe("R2");
  });

  it("changes nothing: records byte-identical, no process started or stopped, no proxy started", async () => {
    const argo = desk.host("argo");
    await argo.serve("green", "R2", "R1");
    await keepReleases(argo);
    await leaveInProgress(argo, { ...DIED, step: "switch" });
    await argo.session.records.appendHistory({ id: "deploy-8", kind: "deploy", release: "R2" } as never);
    const before = await recordBytes(argo);
    const running = [...argo.running.entries()];
    const { session, ensured } = watched(argo);
    const { plan } = await run(session, { dryRun: true });
    expect(plan.recoveries).toHaveLength(1);
    expect(await recordBytes(argo)).toEqual(before);
    expect(before.every((bytes) => bytes?.includes("R2"))).toBe(true);
    expect([...argo.running.entries()]).toEqual(running);
    expect(argo.routed()).toBe("R2");
    expect(argo.leaseHolder()).toBe("R2");
    expect(ensured()).toBe(0);
    expect(log).toEqual([]);
    expect(argo.executor.calls).toEqual([]);
  });
});

describe("rollback --dry-run without a deploy in progress", () => {
  it("plans from what runs, as before: no recovery in the plan or its text", async () => {
    const backend = desk.host("alpine-backend");
    await backend.serve("blue", "R1", "R0");
    await keepReleases(backend);
    log.length = 0;
    const { plan } = await run(backend.session, { dryRun: true });
    expect(Object.keys(plan)).toEqual([
      "kind",
      "id",
      "environment",
      "project",
      "members",
      "healthLevel",
      "moves",
      "notes",
    ]);
    expect(describeRollbackPlan(plan)).toEqual([
      `plan ${plan.id}: roll back alpine-backend in staging`,
      "  alpine-backend on local: R1 (blue) → R0 (green, warm: instant switch)",
      "  health level 2 after the switch; nothing was moved (--dry-run)",
    ]);
    expect(log).toEqual([]);
  });
});
