/**
 * One pure function decides the overall status (research §4.3): a critical failure is unhealthy, any other
 * failure or a deliberate halt is degraded, and nothing at all to report is unhealthy (the vacuous pass).
 */
import type { HealthStatus } from "./types.js";

export interface Judged {
  readonly status: HealthStatus;
  readonly critical: boolean;
}

/** The overall status of a set of components or checks. */
export function aggregate(items: readonly Judged[]): HealthStatus {
  if (items.length === 0) return "unhealthy";
  let overall: HealthStatus = "healthy";
  for (const item of items) {
    if (item.status === "unhealthy" && item.critical) return "unhealthy";
    if (item.status !== "healthy") overall = "degraded";
  }
  return overall;
}

/** The seeds' summary block; degraded components count as neither healthy nor unhealthy. */
export interface ComponentSummary {
  readonly total_components: number;
  readonly healthy_components: number;
  readonly unhealthy_components: number;
}

/** The summary counts of a set of components. */
export function summarize(items: readonly Judged[]): ComponentSummary {
  let healthy = 0;
  let unhealthy = 0;
  for (const item of items) {
    if (item.status === "healthy") healthy++;
    else if (item.status === "unhealthy") unhealthy++;
  }
  return { total_components: items.length, healthy_components: healthy, unhealthy_components: unhealthy };
}
