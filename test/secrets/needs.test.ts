import { describe, expect, it } from "vitest";
import { parseDataSpec } from "../../src/runtime/data/source.js";
import { planRun } from "../../src/runtime/plan.js";
import { isHistoricalSourceText, unneededSecrets } from "../../src/secrets/needs.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import type { Workspace } from "../../src/workspace/types.js";
import { DESK } from "../helpers/cli.js";

const desk = loadWorkspace({ cwd: DESK });
const argo = desk.projects.argo!;

describe("which secrets a process needs", () => {
  it("a strategy replaying history runs the simulated broker: its broker keys are not needed", () => {
    const unneeded = unneededSecrets(desk, argo, "development", { data: { source: "sample:sp500" } });
    expect([...unneeded.keys()]).toEqual(["ALPACA_API_KEY", "ALPACA_SECRET_KEY"]);
    expect(unneeded.get("ALPACA_API_KEY")).toContain("simulated broker");
  });
  it("a live feed trades through the broker: the keys are needed", () => {
    expect(unneededSecrets(desk, argo, "development", { data: { source: "alpaca" } }).size).toBe(0);
    // no config known: assume the broker is used
    expect(unneededSecrets(desk, argo, "staging", undefined).size).toBe(0);
  });
  it("a service's own code may call the broker: its keys stay needed", () => {
    const service = { ...argo, kind: "service" as const };
    expect(unneededSecrets(desk, service, "development", { data: { source: "sample:sp500" } }).size).toBe(0);
  });
  it("a backtest environment never needs them", () => {
    const ws = {
      ...desk,
      settings: { ...desk.settings, test: { ...desk.settings.test!, executionMode: "backtest" } },
    } as Workspace;
    const withBinding = { ...argo, accounts: { ...argo.accounts, test: argo.accounts.development } };
    expect(unneededSecrets(ws, withBinding, "test", { data: { source: "alpaca" } }).size).toBe(2);
  });
  it("agrees with the runtime's own venue decision for every data source", () => {
    for (const source of ["sample:sp500", "csv:data/spy.csv#SPY", "archive", "archive:bars.db", "alpaca"]) {
      const plan = planRun({
        command: "serve",
        environment: "development",
        settings: desk.settings.development!,
        project: argo,
        dataConfig: parseDataSpec(source, "test"),
        configAutoExecute: true,
      });
      expect(isHistoricalSourceText(source), source).toBe(plan.venue === "simulated");
    }
  });
});
