import { describe, expect, it } from "vitest";
import { selectHealthTargets } from "../../src/health/targets.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

describe("health targets", () => {
  const ws = loadWorkspace({ workspace: DESK });

  it("checks this machine at the project's port and manifest paths by default", () => {
    const { targets } = selectHealthTargets(ws, "development", "argo");
    expect(targets).toEqual([
      {
        project: "argo",
        url: "http://127.0.0.1:8000",
        remote: false,
        paths: { level1: "/health", level2: "/health/detailed", level3: "/health/deep" },
        timeoutMs: 3000,
      },
    ]);
  });

  it("uses the environment's target: local hosts at the target port, remote hosts by name", () => {
    expect(selectHealthTargets(ws, "staging", "alpine-backend").targets[0]!.url).toBe("http://127.0.0.1:8201");
    const prod = selectHealthTargets(ws, "production", "alpine-backend").targets[0]!;
    expect(prod).toMatchObject({ url: "http://alpine-prod.example.internal:8001", remote: true });
  });

  it("selects every project with a port for `all` and says why others are skipped", () => {
    const { targets, skipped } = selectHealthTargets(ws, "development", "all");
    expect(targets.map((t) => t.project)).toEqual(["argo", "signal-lab", "alpine-backend"]);
    expect(skipped).toEqual([
      { project: "alpine-frontend", reason: "no port in tradeops.yaml" },
      { project: "shared", reason: "no port in tradeops.yaml" },
    ]);
  });
});
