/**
 * What apply re-checks of a plan: only what can change between the plan and the apply. A blocked window that
 * started since the plan was made refuses before any target is touched; the phrase is not asked again.
 */
import { describe, expect, it } from "vitest";
import { applyDeployPlan } from "../../src/deploy/apply.js";
import { type DeployState, planDeploy } from "../../src/deploy/plan.js";
import { recheckWindow } from "../../src/deploy/policy.js";
import { findTarget } from "../../src/deploy/targets.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";
import { fakeClock } from "../helpers/recording-target.js";

const workspace = loadWorkspace({ cwd: DESK });
const policy = workspace.policies.production!;
// production blocks 13:30-20:00 UTC on weekdays: a plan at 13:29 on a Wednesday is inside the open window
const planned = Date.parse("2026-11-18T13:29:00Z");

function plan(emergency?: string) {
  const state: DeployState = {
    request: {
      which: "alpine-backend",
      environment: "production",
      confirm: policy.confirmPhrase,
      ...(emergency ? { emergency } : {}),
      skips: new Map(),
      allowDirty: false,
    },
    workspace,
    policy,
    now: new Date(planned),
    head: "c0ffee0000000000000000000000000000000000",
    dirty: [],
    snapshots: {
      "alpine-backend": {
        project: "alpine-backend",
        target: findTarget(workspace, "production", "alpine-backend")!,
        releases: [],
        state: { colors: {} },
        lock: { held: false, stale: false },
        baseNote: "first deploy to production",
        files: [],
        commits: [],
      },
    },
    nonce: "ab12",
  };
  return planDeploy(state);
}

describe("apply re-checks the clock", () => {
  it("refuses a plan whose window was open when made and is blocked now, touching no target", async () => {
    const p = plan();
    expect(p.refusal).toBeUndefined();
    const clock = fakeClock(planned);
    clock.advance(2 * 60_000);
    const touched: string[] = [];
    await expect(
      applyDeployPlan(p, {
        workspace,
        git: {} as never,
        env: {},
        who: "tester@test-host",
        hostname: "test-host",
        command: "deploy alpine-backend to production",
        executorFor: (host) => {
          touched.push(host);
          throw new Error("no target may be touched");
        },
        clock,
      }),
    ).rejects.toMatchObject({
      code: "TRO_ERR_POLICY_REFUSED",
      message:
        "Deploys to production are blocked since the plan was made: 13:31 UTC is within the blocked hours 13:30-20:00 of the production policy.",
    });
    expect(touched).toEqual([]);
  });

  it("lets an emergency plan through, and an open window stays open", () => {
    const later = new Date(planned + 2 * 60_000);
    expect(recheckWindow(plan("stop-loss bug"), policy, later)).toBeUndefined();
    expect(recheckWindow(plan(), policy, new Date(planned))).toBeUndefined();
    expect(recheckWindow(plan(), policy, later)?.code).toBe("TRO_ERR_POLICY_REFUSED");
  });
});
