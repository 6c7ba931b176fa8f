/**
 * One row per project for the overview: what the manifest says (kind, account binding), what the environment
 * makes of it (PAPER / LIVE / BACKTEST / SHADOW), and what the supervisor sees (state, release, colour, uptime,
 * health levels 1 and 2 from its monitor). Built from memory and the kill-switch files only: no network.
 */
import type { EnvironmentName } from "../../environment/names.js";
import { controlFilePath, readControl } from "../../runtime/control-file.js";
import type { InstanceStatus, SupervisorStatus } from "../../supervisor/types.js";
import type { Project, Workspace } from "../../workspace/types.js";

export type TradingMode = "PAPER" | "LIVE" | "BACKTEST" | "SHADOW";

export interface AccountView {
  readonly broker: string;
  readonly mode: "paper" | "live";
  readonly name: string | null;
  readonly id: string | null;
}

export interface ProjectView {
  readonly name: string;
  readonly kind: Project["kind"];
  readonly description: string | null;
  readonly port: number | null;
  readonly sendsOrders: boolean;
  /** has a start command: the supervisor can run it */
  readonly startable: boolean;
  /** strategies only: how it trades in this environment */
  readonly mode: TradingMode | null;
  readonly account: AccountView | null;
  /** supervisor state of the serving instance, `not-started` when there is none */
  readonly state: string;
  readonly release: string | null;
  readonly color: string | null;
  readonly pid: number | null;
  readonly uptimeSeconds: number | null;
  readonly restarts: number;
  readonly health: { readonly level1: string; readonly level2: string };
  /** the kill switch: `halted`, `active`, or null when never set */
  readonly killSwitch: {
    readonly state: string;
    readonly reason: string;
    readonly at: string;
    readonly by: string;
  } | null;
  readonly lastFailure: string | null;
  readonly instances: readonly string[];
}

/** The instance that serves a project: the one allowed to send orders, else any running one, else the first. */
export function servingInstance(status: SupervisorStatus | undefined, project: string): InstanceStatus | undefined {
  const mine = status?.instances.filter((i) => i.project === project) ?? [];
  const live = (i: InstanceStatus) => i.state === "running" || i.state === "unhealthy" || i.state === "starting";
  return mine.find((i) => i.orders && live(i)) ?? mine.find(live) ?? mine[0];
}

/** How a project trades here: the environment's execution mode, SHADOW when its instance may not send orders. */
export function tradingMode(
  workspace: Workspace,
  environment: EnvironmentName,
  project: Project,
  instance: InstanceStatus | undefined,
): TradingMode | null {
  if (project.kind !== "strategy") return null;
  if (instance && !instance.orders) return "SHADOW";
  const mode = workspace.settings[environment]?.executionMode ?? "paper";
  return mode === "live" && project.liveTrading ? "LIVE" : mode === "backtest" ? "BACKTEST" : "PAPER";
}

/** The rows of the overview, in manifest order. */
export function projectViews(
  workspace: Workspace,
  environment: EnvironmentName,
  status: SupervisorStatus | undefined,
): ProjectView[] {
  return Object.values(workspace.projects).map((p) => projectView(workspace, environment, status, p));
}

export function projectView(
  workspace: Workspace,
  environment: EnvironmentName,
  status: SupervisorStatus | undefined,
  p: Project,
): ProjectView {
  const instance = servingInstance(status, p.name);
  const binding = p.accounts[environment];
  const control = readControl(controlFilePath(workspace.root, p.name));
  return {
    name: p.name,
    kind: p.kind,
    description: p.description ?? null,
    port: instance?.port ?? p.port ?? null,
    sendsOrders: p.sendsOrders,
    startable: Boolean(p.commands.start),
    mode: tradingMode(workspace, environment, p, instance),
    account: binding
      ? { broker: binding.broker, mode: binding.mode, name: binding.accountName ?? null, id: binding.accountId ?? null }
      : null,
    state: instance?.state ?? "not-started",
    release: instance?.release ?? null,
    color: instance?.color ?? null,
    pid: instance?.pid ?? null,
    uptimeSeconds: instance?.uptimeSeconds ?? null,
    restarts: instance?.restarts ?? 0,
    health: {
      level1: instance?.health.level1.status ?? "unknown",
      level2: instance?.health.level2.status ?? "unknown",
    },
    killSwitch: control ? { state: control.state, reason: control.reason, at: control.at, by: control.by } : null,
    lastFailure: instance?.lastFailure?.reason ?? null,
    instances: status?.instances.filter((i) => i.project === p.name).map((i) => i.name) ?? [],
  };
}
