/** The supervisor's nouns, shared by the daemon, its clients, `tradeops up` and the state file. */
import type { SpareStatus } from "./spare.js";
import type { InstanceState } from "./states.js";

export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

/** What an operator (or deploy) asks to run: `tradeops start PROJECT [--color] [--release] [--dir] [--port] [--orders]`. */
export interface InstanceRequest {
  readonly project: string;
  readonly color?: Color;
  readonly release?: string;
  /** working directory (default: the project's directory) */
  readonly dir?: string;
  /** `PORT` for the service (default: the project's port) */
  readonly port?: number;
  /** `TRADEOPS_ORDERS`: whether this instance may send orders (default true) */
  readonly orders: boolean;
}

export interface ExitRecord {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: string;
  /** true when the process ended while no supervisor watched it (its exit code is unknown) */
  readonly unobserved?: boolean;
}

export interface FailureRecord {
  readonly reason: string;
  readonly at: string;
  /** the last lines of its log, with known secrets redacted */
  readonly logTail: readonly string[];
}

export type ProbeStatus = "healthy" | "degraded" | "unhealthy" | "unreachable" | "timeout" | "absent" | "unknown";

export interface HealthSnapshot {
  readonly status: ProbeStatus;
  readonly checkedAt?: string;
  readonly httpStatus?: number;
  readonly ms?: number;
  readonly error?: string;
  readonly consecutiveFailures: number;
}

export interface StateChange {
  readonly at: string;
  readonly from: InstanceState;
  readonly to: InstanceState;
  readonly trigger: string;
  readonly reason?: string;
  readonly pid?: number;
  readonly delayMs?: number;
}

/** One instance as `status --json` shows it and the state file records it. */
export interface InstanceStatus {
  readonly name: string;
  readonly project: string;
  readonly color: Color | null;
  readonly release: string | null;
  readonly pid: number | null;
  readonly port: number | null;
  readonly orders: boolean;
  readonly state: InstanceState;
  /** what the operator last asked for; a supervisor restarted after a crash brings `running` ones back */
  readonly desired: "running" | "stopped";
  readonly startedAt: string | null;
  readonly uptimeSeconds: number | null;
  readonly restarts: number;
  readonly streak: number;
  readonly lastExit: ExitRecord | null;
  readonly lastFailure: FailureRecord | null;
  readonly nextStartAt: string | null;
  /** the restart policy as it applies now: the same sequence and give-up after a crash or failed health */
  readonly restartPolicy: RestartPolicyStatus;
  readonly adopted: boolean;
  readonly health: { readonly level1: HealthSnapshot; readonly level2: HealthSnapshot };
  readonly logFile: string;
  /** its standard error */
  readonly errLogFile: string;
  readonly dir: string | null;
  readonly command: string | null;
  readonly recent: readonly StateChange[];
  /** the warm spare (health.warmSpare): a loaded process in standby, no port bound, no lease taken */
  readonly spare: SpareStatus | null;
}

export interface RestartPolicyStatus {
  readonly backoffSeconds: readonly number[];
  readonly maxRestarts: number;
  /** the wait before the next unrequested restart (the current one in `backoff`); null when it would give up */
  readonly nextDelaySeconds: number | null;
}

export interface SupervisorInfo {
  readonly pid: number;
  readonly workspace: string;
  readonly environment: string;
  readonly stateDir: string;
  readonly startedAt: string;
  readonly disk: { readonly freeBytes: number | null; readonly low: boolean };
}

export interface SupervisorStatus {
  readonly supervisor: SupervisorInfo;
  readonly instances: readonly InstanceStatus[];
}

/** `PROJECT` or `PROJECT@COLOR`: the instance's name in status, logs and PID files. */
export function instanceName(project: string, color?: Color | null): string {
  return color ? `${project}@${color}` : project;
}

/** Whether an instance belongs to a project (any colour). */
export function isInstanceOf(name: string, project: string): boolean {
  return name === project || name.startsWith(`${project}@`);
}
