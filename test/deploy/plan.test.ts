/** planDeploy is pure: a hand-built state in, a plan out, no process or file touched. */
import { describe, expect, it } from "vitest";
import { type DeployState, type ProjectSnapshot, planDeploy } from "../../src/deploy/plan.js";
import { findTarget } from "../../src/deploy/targets.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DEFAULT_POLICY } from "../../src/workspace/schema.js";
import { DESK } from "../helpers/cli.js";

const workspace = loadWorkspace({ cwd: DESK });
const HEAD = "c0ffee0000000000000000000000000000000000";
const BASE = "ba5e000000000000000000000000000000000000";

function snapshot(project: string, extra: Partial<ProjectSnapshot> = {}): ProjectSnapshot {
  return {
    project,
    target: findTarget(workspace, "staging", project)!,
    releases: [],
    state: { colors: {} },
    lock: { held: false, stale: false },
    base: BASE,
    baseNote: `since ${BASE.slice(0, 7)}`,
    files: [],
    commits: [],
    ...extra,
  };
}

function state(
  which: string,
  snapshots: Record<string, ProjectSnapshot>,
  extra: Partial<DeployState> = {},
): DeployState {
  return {
    request: { which, environment: "staging", skips: new Map(), allowDirty: false },
    workspace,
    policy: workspace.policies.staging ?? DEFAULT_POLICY,
    now: new Date("2026-11-18T10:15:00.123Z"),
    head: HEAD,
    dirty: [],
    snapshots,
    nonce: "ab12",
    ...extra,
  };
}

const gate = (plan: ReturnType<typeof planDeploy>, n: number) => plan.decided.find((d) => d.gate === n)!.verdict;

describe("planDeploy", () => {
  it("deploys the named project into the idle colour with a timestamped release id", () => {
    const s = state("alpine-backend", {
      "alpine-backend": snapshot("alpine-backend", {
        state: { active: "blue", colors: { blue: { release: "r1", port: 8202, startedAt: "", orders: true } } },
        releases: [{ id: "20261118T101500Z-c0ffee0" } as never],
      }),
    });
    const plan = planDeploy(s);
    expect(plan.refusal).toBeUndefined();
    expect(plan.deploys).toEqual([
      expect.objectContaining({
        project: "alpine-backend",
        release: "20261118T101500Z-c0ffee0.2",
        color: "green",
        port: 8203,
        active: { color: "blue", release: "r1", port: 8202 },
        group: ["alpine-backend", "alpine-frontend"],
        steps: ["upload", "migrate", "start", "switch", "monitor", "finish"],
      }),
    ]);
    expect(plan.id).toBe("20261118T101500123-ab12");
    expect(planDeploy(s)).toEqual(plan);
  });

  it("plans the host's secrets check right after the upload for a secrets: host target", () => {
    const target = { ...findTarget(workspace, "staging", "alpine-backend")!, secrets: "host" as const };
    const plan = planDeploy(state("alpine-backend", { "alpine-backend": snapshot("alpine-backend", { target }) }));
    expect(plan.deploys[0]!.steps).toEqual(["upload", "secrets", "migrate", "start", "switch", "monitor", "finish"]);
  });

  it("tests the coupled group, and every project when a shared path changed", () => {
    const own = planDeploy(
      state("alpine-backend", {
        "alpine-backend": snapshot("alpine-backend", { files: ["alpine-backend/server.mjs"] }),
      }),
    );
    expect(own.tested).toEqual(["alpine-backend", "alpine-frontend"]);
    const shared = planDeploy(
      state("alpine-backend", {
        "alpine-backend": snapshot("alpine-backend", { files: ["packages/shared/src/index.mjs"] }),
      }),
    );
    expect(shared.tested).toEqual(Object.keys(workspace.projects).sort());
    expect(gate(shared, 1).details?.join("\n")).toContain(
      "shared path changed (packages/shared/src/index.mjs): every project is tested",
    );
  });

  it("`all` ships only what changed since each target's last deploy, and what was never deployed", () => {
    const plan = planDeploy(
      state("all", {
        "alpine-backend": snapshot("alpine-backend", { files: ["argo/src/x.ts"] }),
        argo: snapshot("argo", { base: undefined, baseNote: "first deploy to staging" }),
      }),
    );
    expect(plan.deploys.map((d) => [d.project, d.why])).toEqual([["argo", "first deploy to staging"]]);
    const changed = planDeploy(
      state("all", { "alpine-backend": snapshot("alpine-backend", { files: ["alpine-frontend/src/app.js"] }) }),
    );
    expect(changed.deploys.map((d) => [d.project, d.why])).toEqual([
      ["alpine-backend", "coupled with alpine-frontend since ba5e000"],
    ]);
    expect(planDeploy(state("all", { "alpine-backend": snapshot("alpine-backend") })).deploys).toEqual([]);
  });

  it("flags a commit that mixes unrelated projects (gate 2), not one that adds shared code", () => {
    const commits = [
      { sha: "1111111aaaa", subject: "tweak both", files: ["argo/src/main.ts", "alpine-backend/server.mjs"] },
      {
        sha: "2222222bbbb",
        subject: "backend and frontend",
        files: ["alpine-backend/server.mjs", "alpine-frontend/build.mjs"],
      },
      {
        sha: "3333333cccc",
        subject: "shared helper",
        files: ["packages/shared/src/index.mjs", "alpine-backend/server.mjs"],
      },
    ];
    const plan = planDeploy(state("alpine-backend", { "alpine-backend": snapshot("alpine-backend", { commits }) }));
    expect(gate(plan, 2)).toEqual({
      status: "fail",
      reason: "1 commit mixes unrelated projects",
      details: ['1111111 "tweak both" touches argo and alpine-backend'],
    });
  });

  it("gate 2 judges the commits that change what ships: a mixed commit of other projects does not block", () => {
    const commits = [
      { sha: "4444444dddd", subject: "argo and the lab", files: ["argo/src/main.ts", "signal-lab/main.py"] },
      { sha: "5555555eeee", subject: "frontend only", files: ["alpine-frontend/build.mjs"] },
    ];
    const plan = planDeploy(state("alpine-backend", { "alpine-backend": snapshot("alpine-backend", { commits }) }));
    expect(gate(plan, 2)).toMatchObject({ status: "pass" });
    const argo = planDeploy(state("argo", { argo: snapshot("argo", { commits }) }));
    expect(gate(argo, 2)).toMatchObject({
      status: "fail",
      details: ['4444444 "argo and the lab" touches argo and signal-lab'],
    });
  });

  it("refuses a dirty tree unless --allow-dirty, and marks the release", () => {
    const dirty = state(
      "alpine-backend",
      { "alpine-backend": snapshot("alpine-backend") },
      { dirty: ["alpine-backend/server.mjs"] },
    );
    expect(planDeploy(dirty).refusal?.message).toContain(
      "uncommitted changes that would ship: alpine-backend/server.mjs",
    );
    const allowed = planDeploy({ ...dirty, request: { ...dirty.request, allowDirty: true } });
    expect(allowed.refusal).toBeUndefined();
    expect(allowed.deploys[0]!.release).toMatch(/-c0ffee0-dirty$/);
  });

  it("decides the window and the phrase with the injected time", () => {
    const policy = { ...DEFAULT_POLICY, confirmPhrase: "deploy fully to production", blockedDays: ["fri" as const] };
    const s = state(
      "alpine-backend",
      { "alpine-backend": snapshot("alpine-backend") },
      { policy, now: new Date("2026-11-20T10:00:00Z") },
    );
    expect(planDeploy(s).refusal).toMatchObject({
      code: "TRO_ERR_POLICY_REFUSED",
      message: expect.stringContaining("Friday"),
    });
    const emergency = { ...s, request: { ...s.request, emergency: "stop-loss bug" } };
    expect(planDeploy(emergency).refusal).toMatchObject({ message: expect.stringContaining("confirmation phrase") });
    expect(gate(planDeploy(emergency), 10).status).toBe("fail");
    const confirmed = { ...emergency, request: { ...emergency.request, confirm: "deploy fully to production" } };
    expect(planDeploy(confirmed).refusal).toBeUndefined();
    expect(planDeploy(confirmed).window).toMatchObject({ blocked: true, emergency: "stop-loss bug" });
  });
});
