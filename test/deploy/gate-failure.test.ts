import { describe, expect, it } from "vitest";
import { gateFailure } from "../../src/deploy/apply-parts.js";

const failed = (gate: 2 | 3 | 8, reason: string) =>
  gateFailure({ gate, name: "a gate", status: "fail", reason, durationMs: 1, details: ["one finding"] });

describe("a failed gate's next step", () => {
  it("gate 2: a mixed commit cannot be fixed away, so the way past it is named", () => {
    const error = failed(2, "1 commit mixes unrelated projects");
    expect([error.code, error.exitCode]).toEqual(["TRO_ERR_GATE_FAILED", 1]);
    expect(error.hint).toBe(
      "Nothing was shipped. A commit already made stays in the range: deploy from after it with --since COMMIT, or skip the gate with --skip-gate 2 --reason TEXT where the policy allows.",
    );
    expect(error.problems).toEqual([{ message: "one finding" }]);
  });
  it("a target whose service serves no level-2 endpoint: the way to judge it by what it serves is named", () => {
    const error = gateFailure({
      gate: 9,
      name: "target healthy",
      status: "fail",
      reason: "the staging target is not healthy before the deploy",
      durationMs: 1,
      details: ["quote-api detailed: unhealthy (NOT_OFFERED)"],
    });
    expect(error.hint).toContain("point its health.detailedPath (level 2) or deepPath (level 3) at one it serves");
  });
  it("other gates: fix the cause (gate 8 may remove the lines)", () => {
    expect(failed(3, "tests failed").hint).toBe("Nothing was shipped. Fix the cause and deploy again.");
    expect(failed(8, "1 line holds refused patterns").hint).toBe(
      "Nothing was shipped. Fix the cause and deploy again (or remove the lines named above).",
    );
  });
});
