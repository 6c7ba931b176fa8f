/** Mode, data and venue selection (SPEC §8), and the runtime settings read from a project's config. */
import { describe, expect, it } from "vitest";
import type { EnvironmentName } from "../../src/environment/names.js";
import { isTroError } from "../../src/errors.js";
import { planRun } from "../../src/runtime/plan.js";
import { runtimeSettings } from "../../src/runtime/settings.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

const ws = loadWorkspace({ workspace: DESK });
const argo = ws.projects.argo!;
const sample = { kind: "sample", name: "sp500" } as const;
const alpaca = { kind: "alpaca" } as const;

function plan(environment: EnvironmentName, extra: Partial<Parameters<typeof planRun>[0]> = {}) {
  return planRun({
    command: "serve",
    environment,
    settings: ws.settings[environment]!,
    project: argo,
    dataConfig: sample,
    configAutoExecute: true,
    ...extra,
  });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isTroError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("planRun", () => {
  it("development serve: paper on a replay of the archive with the simulated broker, no idle pause", () => {
    const p = plan("development");
    expect(p).toMatchObject({ mode: "paper", feed: "replay", venue: "simulated", idlePause: false, autoExecute: true });
    expect(p.modeFrom).toBe("environments.development.executionMode");
    expect(p.notes).toContain("paper trading on replayed bars with the simulated broker; no order leaves this process");
  });

  it("--mode backtest always forces a backtest, whatever the environment or the data", () => {
    for (const env of ["development", "staging", "production"] as const) {
      const p = plan(env, { modeFlag: "backtest", dataConfig: alpaca });
      expect(p).toMatchObject({ mode: "backtest", feed: "history", venue: "simulated", modeFrom: "--mode backtest" });
    }
    expect(planRun({ ...baseInput("production"), command: "backtest", modeFlag: "live" }).mode).toBe("backtest");
  });

  it("live data in development goes to the bound paper account, and pauses when idle", () => {
    const p = plan("development", { dataConfig: alpaca });
    expect(p).toMatchObject({ feed: "live", venue: "broker-paper", idlePause: true });
  });

  it("production never pauses", () => {
    expect(plan("production", { dataConfig: alpaca })).toMatchObject({ venue: "broker-paper", idlePause: false });
  });

  it("live is refused outside production, without live enablement, with a paper binding or on replayed data", () => {
    expect(refusal(() => plan("development", { modeFlag: "live", dataConfig: alpaca }))).toBe(
      "TRO_ERR_GUARD_REFUSED: Refused: live trading outside production (development).",
    );
    expect(refusal(() => plan("production", { modeFlag: "live", dataConfig: alpaca }))).toBe(
      "TRO_ERR_GUARD_REFUSED: Refused: argo does not enable live trading.",
    );
    const enabled = { ...argo, liveTrading: true };
    expect(refusal(() => plan("production", { modeFlag: "live", dataConfig: alpaca, project: enabled }))).toBe(
      "TRO_ERR_GUARD_REFUSED: Refused: live mode, but the account bound in production is a paper account.",
    );
    expect(refusal(() => plan("production", { modeFlag: "live", project: enabled }))).toBe(
      "TRO_ERR_GUARD_REFUSED: Refused: live mode needs live data, and the data source is historical.",
    );
  });

  it("auto-execute needs both the config and the environment", () => {
    expect(plan("development", { configAutoExecute: false }).autoExecute).toBe(false);
    const off = { ...ws.settings.development!, autoExecute: false };
    expect(plan("development", { settings: off }).autoExecute).toBe(false);
  });

  it("no data source at all is one sentence with the way out", () => {
    expect(refusal(() => plan("development", { dataConfig: undefined }))).toBe(
      "TRO_ERR_DATA_SOURCE: No data source is configured for argo.",
    );
  });
});

function baseInput(environment: EnvironmentName): Parameters<typeof planRun>[0] {
  return {
    command: "serve",
    environment,
    settings: ws.settings[environment]!,
    project: argo,
    dataConfig: sample,
    configAutoExecute: true,
  };
}

describe("runtime settings from a project's config", () => {
  it("reads the well-known keys and defaults the rest", () => {
    const s = runtimeSettings(
      {
        trading: { auto_execute: false, read_only: true },
        risk: { max_trade_usd: 1000, emergency_stop_loss_pct: 0.15, heartbeat_timeout_seconds: 300 },
        data: { source: "sample:sp500", timeframe: "1Day" },
        backtest: { fee_bps: 1, slippage_bps: 2, initial_cash: 50_000 },
      },
      "argo",
    );
    expect(s.risk).toMatchObject({
      maxTradeUsd: 1000,
      maxPositionUsd: Number.POSITIVE_INFINITY,
      readOnly: true,
      autoExecute: false,
      emergencyStopLossPct: 0.15,
      heartbeatTimeoutMs: 300_000,
      maxOrdersPerMinute: 100,
    });
    expect(s.simulation).toMatchObject({ slippageBps: 2, fees: { bps: 1, perShare: 0, minimum: 0, fixed: 0 } });
    expect(s).toMatchObject({ initialCash: 50_000, data: { kind: "sample", name: "sp500" }, timeframe: "1Day" });
  });

  it("lists every key of the wrong type at once", () => {
    try {
      runtimeSettings(
        { risk: { max_trade_usd: "lots", emergency_stop_loss_pct: 3 }, trading: { read_only: "no" } },
        "argo in development",
      );
      throw new Error("expected a refusal");
    } catch (error) {
      if (!isTroError(error)) throw error;
      expect(error.code).toBe("TRO_ERR_CONFIG_INVALID");
      expect(error.problems.map((p) => p.key)).toEqual([
        "risk.max_trade_usd",
        "trading.read_only",
        "risk.emergency_stop_loss_pct",
      ]);
    }
  });
});
