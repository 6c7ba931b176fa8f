/**
 * The JSON shapes of levels 1 and 2, exactly as SPEC §10 and the seeds give them; level 3 adds `level`,
 * `checks` and check counts to the level-2 shape. Pure functions of in-memory state.
 */
import { aggregate, type ComponentSummary, summarize } from "./aggregate.js";
import type { LivenessVerdict } from "./liveness.js";
import type { ComponentReport } from "./registry.js";
import type { SystemSnapshot } from "./system-monitor.js";
import type { HealthStatus } from "./types.js";

/** Which running instance answers: `halt`, `resume` and `health` compare it before they act. */
export interface InstanceView {
  workspace_id: string;
  environment: string;
  project: string;
  release: string;
  color: string;
  config_hash: string;
  pid: number;
}

export interface ServiceIdentity {
  readonly service: string;
  readonly executionMode: string;
  /** when the service started (epoch ms) */
  readonly startedAt: number;
  /** the instance identity a trading node carries (absent for a bare service host) */
  readonly instance?: InstanceView;
}

export interface Level1Report {
  status: HealthStatus;
  timestamp: string;
  service: string;
  execution_mode: string;
  uptime_seconds: number;
  system: { cpu_percent: number; memory_percent: number; memory_available_gb: number };
  instance?: InstanceView;
}

export interface ComponentView {
  status: HealthStatus;
  error_code: string | null;
  readiness_checks: Record<string, boolean>;
}

export interface Level2Report {
  status: HealthStatus;
  timestamp: string;
  service: string;
  execution_mode: string;
  components: Record<string, ComponentView>;
  summary: ComponentSummary;
  instance?: InstanceView;
}

/** One live check's outcome as level 3 shows it. */
export interface CheckView {
  status: HealthStatus;
  error_code: string | null;
  critical: boolean;
  duration_ms: number;
  observed_value?: number;
  observed_unit?: string;
}

export interface Level3Report extends Omit<Level2Report, "summary"> {
  level: 3;
  checks: Record<string, CheckView>;
  summary: ComponentSummary & { total_checks: number; healthy_checks: number; unhealthy_checks: number };
}

/** Level 1: alive unless an in-process fact says otherwise; system figures from the background sampler. */
export function level1Report(
  id: ServiceIdentity,
  liveness: LivenessVerdict,
  system: SystemSnapshot | undefined,
  now: number,
): Level1Report {
  return {
    status: liveness.alive ? "healthy" : "unhealthy",
    timestamp: new Date(now).toISOString(),
    service: id.service,
    execution_mode: id.executionMode,
    uptime_seconds: Math.max(0, Math.floor((now - id.startedAt) / 1000)),
    system: {
      cpu_percent: system?.cpuPercent ?? 0,
      memory_percent: system?.memoryPercent ?? 0,
      memory_available_gb: system?.memoryAvailableGb ?? 0,
    },
    ...(id.instance ? { instance: id.instance } : {}),
  };
}

/** Level 2: every component with its status, stable error code and readiness checks, and the summary. */
export function level2Report(id: ServiceIdentity, reports: readonly ComponentReport[], now: number): Level2Report {
  const components: Record<string, ComponentView> = {};
  for (const r of reports) {
    components[r.name] = { status: r.status, error_code: r.error_code, readiness_checks: { ...r.readiness_checks } };
  }
  return {
    status: aggregate(reports),
    timestamp: new Date(now).toISOString(),
    service: id.service,
    execution_mode: id.executionMode,
    components,
    summary: summarize(reports),
    ...(id.instance ? { instance: id.instance } : {}),
  };
}

/** Level 3: level 2 plus the live checks; the status aggregates both. */
export function level3Report(
  id: ServiceIdentity,
  reports: readonly ComponentReport[],
  checks: Readonly<Record<string, CheckView>>,
  now: number,
): Level3Report {
  const l2 = level2Report(id, reports, now);
  const judged = Object.values(checks);
  return {
    ...l2,
    status: aggregate([...reports, ...judged]),
    level: 3,
    checks: { ...checks },
    summary: {
      ...l2.summary,
      total_checks: judged.length,
      healthy_checks: judged.filter((c) => c.status === "healthy").length,
      unhealthy_checks: judged.filter((c) => c.status === "unhealthy").length,
    },
  };
}
