/**
 * Which mode, which data, which venue: decided in one pure function from the command, the flags, the
 * environment's settings, the project's account binding and its config (SPEC §8). `--mode backtest` always
 * wins; live needs production, the project's live enablement, a live account binding and live data. The
 * plan is logged at start, so nobody wonders whether orders are real (freqtrade's dry-run banner).
 */
import { TroError } from "../errors.js";
import type { EnvironmentSettings, Project } from "../workspace/types.js";
import { type DataSpec, describeSpec, isHistorical } from "./data/source.js";
import type { ExecutionMode } from "./types.js";

export type Feed = "history" | "replay" | "live";
export type VenueKind = "simulated" | "broker-paper" | "broker-live";

export interface RunPlan {
  readonly mode: ExecutionMode;
  /** why this mode: `--mode`, the command, or the environment's executionMode */
  readonly modeFrom: string;
  readonly data: DataSpec;
  readonly dataFrom: string;
  readonly feed: Feed;
  readonly venue: VenueKind;
  /** config `trading.auto_execute` and the environment's `autoExecute` */
  readonly autoExecute: boolean;
  readonly idlePause: boolean;
  /** one line per decision, for the start-up log */
  readonly notes: readonly string[];
}

export interface PlanInput {
  readonly command: "backtest" | "serve";
  readonly environment: string;
  readonly settings: EnvironmentSettings;
  readonly project: Project;
  readonly modeFlag?: ExecutionMode;
  /** `--data`, parsed */
  readonly dataFlag?: DataSpec;
  /** the config's `data.source`, parsed */
  readonly dataConfig?: DataSpec;
  readonly configAutoExecute: boolean;
}

/**
 * Decides a run.
 * @throws TroError TRO_ERR_GUARD_REFUSED when live is asked for where it is not allowed, or a broker is needed
 *   and none is bound; TRO_ERR_DATA_SOURCE when no data source is known
 */
export function planRun(input: PlanInput): RunPlan {
  const { settings, project, environment } = input;
  const mode: ExecutionMode = input.command === "backtest" ? "backtest" : (input.modeFlag ?? settings.executionMode);
  const modeFrom =
    input.command === "backtest"
      ? "the backtest command"
      : input.modeFlag
        ? `--mode ${input.modeFlag}`
        : `environments.${environment}.executionMode`;
  const data = input.dataFlag ?? input.dataConfig;
  if (!data) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `No data source is configured for ${project.name}.`, {
      hint: "Pass --data (sample:sp500, csv:FILE, archive, alpaca) or set data.source in the project's config.",
    });
  }
  const dataFrom = input.dataFlag ? "--data" : "data.source in the config";
  const autoExecute = input.configAutoExecute && settings.autoExecute;
  if (mode === "live") {
    // the most basic refusals first: where, and whether this project may trade real money at all
    if (environment !== "production")
      refuse(`live trading outside production (${environment})`, "Live runs only in production.");
    if (!project.liveTrading)
      refuse(`${project.name} does not enable live trading`, `Set projects.${project.name}.liveTrading: true.`);
  }
  const notes: string[] = [];
  let feed: Feed;
  let venue: VenueKind;
  if (mode === "backtest") {
    feed = "history";
    venue = "simulated";
    notes.push("backtest: historical bars, simulated clock and broker; no order leaves this process");
  } else if (isHistorical(data)) {
    if (mode === "live")
      refuse("live mode needs live data, and the data source is historical", "Set data.source: alpaca.");
    feed = "replay";
    venue = "simulated";
    notes.push("paper trading on replayed bars with the simulated broker; no order leaves this process");
  } else {
    feed = "live";
    const binding = project.accounts[environment as keyof typeof project.accounts];
    if (binding?.broker !== "alpaca") {
      refuse(
        `${project.name} binds no broker account in ${environment}`,
        `Add projects.${project.name}.accounts.${environment}.`,
      );
    }
    if (mode === "paper" && binding.mode !== "paper") {
      refuse(
        `paper mode, but the account bound in ${environment} is live`,
        "Bind a paper account, or run --mode live in production.",
      );
    }
    if (mode === "live" && binding.mode !== "live") {
      refuse(`live mode, but the account bound in ${environment} is a paper account`, "Bind the live account.");
    }
    venue = mode === "live" ? "broker-live" : "broker-paper";
    notes.push(
      mode === "live"
        ? "LIVE TRADING: orders go to a real-money account"
        : `paper trading: orders go to the ${binding.broker} paper account`,
    );
  }
  if (!autoExecute) notes.push("auto-execute is off: signals only, every order is refused and recorded");
  const idlePause = environment !== "production" && settings.pauseWhenIdle && venue !== "simulated";
  if (settings.pauseWhenIdle && venue === "simulated" && mode !== "backtest") {
    notes.push("idle pause: off, the simulated broker has nothing to protect");
  } else if (idlePause) notes.push("idle pause: on, auto-execution pauses while this machine sleeps or is idle");
  notes.push(`data: ${describeSpec(data)} (from ${dataFrom})`);
  return { mode, modeFrom, data, dataFrom, feed, venue, autoExecute, idlePause, notes };
}

function refuse(message: string, hint: string): never {
  throw new TroError("TRO_ERR_GUARD_REFUSED", `Refused: ${message}.`, { hint });
}

/** `alpaca paper account "Dev Trading Account"`, `simulated broker (…)`: never a key. */
export function describeAccount(
  prepared: { readonly project: Project; readonly environment: string },
  plan: RunPlan,
): string {
  const binding = prepared.project.accounts[prepared.environment as keyof Project["accounts"]];
  const bound = binding
    ? `${binding.broker} ${binding.mode} account${binding.accountName ? ` "${binding.accountName}"` : ""}${binding.accountId ? ` ${binding.accountId}` : ""}`
    : "no account bound";
  return plan.venue === "simulated" ? `simulated broker (binding not used: ${bound})` : bound;
}
