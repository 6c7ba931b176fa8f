/**
 * The same reports in IETF `application/health+json` (draft-inadarei-api-health-check-06) for clients that
 * ask for it with `Accept`: pass/warn/fail, `checks` keyed `component:measurement` with arrays, `output`
 * only as stable codes, and the profile keys `level`, `critical` (research §4.3).
 */
import type { ComponentReport } from "./registry.js";
import type { CheckView, Level1Report, Level2Report, Level3Report } from "./reports.js";
import { IETF_STATUS } from "./types.js";

export const HEALTH_JSON_TYPE = "application/health+json";

interface CheckItem {
  componentId?: string;
  componentType: "component" | "system";
  status: "pass" | "warn" | "fail";
  time?: string;
  observedValue?: number;
  observedUnit?: string;
  output?: string;
  critical?: boolean;
}

export interface HealthJson {
  status: "pass" | "warn" | "fail";
  level: 1 | 2 | 3;
  time: string;
  serviceId: string;
  description: string;
  output?: string;
  checks: Record<string, CheckItem[]>;
}

function head(level: 1 | 2 | 3, r: Level1Report | Level2Report, checks: Record<string, CheckItem[]>): HealthJson {
  const status = IETF_STATUS[r.status];
  const failing = Object.entries(checks)
    .filter(([, items]) => items.some((i) => i.status !== "pass"))
    .map(([key]) => key);
  const json: HealthJson = {
    status,
    level,
    time: r.timestamp,
    serviceId: r.service,
    description: `${r.service} (${r.execution_mode})`,
    checks,
  };
  if (status !== "pass" && failing.length) json.output = failing.join(", ");
  return json;
}

/** Level 1 with its uptime and system figures as observations. */
export function level1HealthJson(r: Level1Report): HealthJson {
  const item = (observedValue: number, observedUnit: string): CheckItem[] => [
    { componentType: "system", status: IETF_STATUS[r.status], time: r.timestamp, observedValue, observedUnit },
  ];
  return head(1, r, {
    uptime: item(r.uptime_seconds, "s"),
    "cpu:utilization": item(r.system.cpu_percent, "percent"),
    "memory:utilization": item(r.system.memory_percent, "percent"),
  });
}

function componentItems(reports: readonly ComponentReport[]): Record<string, CheckItem[]> {
  const checks: Record<string, CheckItem[]> = {};
  for (const c of reports) {
    const item: CheckItem = { componentId: c.name, componentType: "component", status: IETF_STATUS[c.status] };
    item.critical = c.critical;
    if (c.sampledAt !== undefined) item.time = new Date(c.sampledAt).toISOString();
    if (c.error_code) item.output = c.error_code;
    checks[`${c.name}:status`] = [item];
  }
  return checks;
}

function liveItems(checks: Readonly<Record<string, CheckView>>): Record<string, CheckItem[]> {
  const out: Record<string, CheckItem[]> = {};
  for (const [name, c] of Object.entries(checks)) {
    const item: CheckItem = { componentId: name, componentType: "component", status: IETF_STATUS[c.status] };
    item.critical = c.critical;
    if (c.observed_value !== undefined) item.observedValue = c.observed_value;
    if (c.observed_unit !== undefined) item.observedUnit = c.observed_unit;
    if (c.error_code) item.output = c.error_code;
    out[`${name}:live`] = [item];
  }
  return out;
}

/** Level 2: one `NAME:status` entry per component. */
export function level2HealthJson(r: Level2Report, reports: readonly ComponentReport[]): HealthJson {
  return head(2, r, componentItems(reports));
}

/** Level 3: the components plus one `NAME:live` entry per live check. */
export function level3HealthJson(r: Level3Report, reports: readonly ComponentReport[]): HealthJson {
  return head(3, r, { ...componentItems(reports), ...liveItems(r.checks) });
}
