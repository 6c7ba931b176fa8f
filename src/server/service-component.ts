/** The host's own level-2 component: ready only between a finished start-up and the first moment of shutdown. */
import type { ComponentSpec } from "../health/registry.js";
import type { HostState, Lifecycle } from "./lifecycle.js";

export const SERVICE_COMPONENT = "service";

const CODES: Record<HostState, string | null> = {
  created: "STARTING",
  starting: "STARTING",
  ready: null,
  draining: "SHUTTING_DOWN",
  stopped: "STOPPED",
  failed: "STARTUP_FAILED",
};

/** Critical: a service that is starting or shutting down must leave rotation (readiness 503). */
export function serviceComponent(lifecycle: Lifecycle): ComponentSpec {
  return {
    name: SERVICE_COMPONENT,
    critical: true,
    read: (now) => {
      const code = CODES[lifecycle.state];
      const checks = { accepting_work: lifecycle.acceptingWork };
      return { status: code ? "unhealthy" : "healthy", errorCode: code, checks, at: now };
    },
  };
}
