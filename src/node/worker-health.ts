/**
 * `tradeops health` for a worker running on this machine without a target (a laptop: `tradeops run`, `start`, `up`):
 * it has no endpoint to ask, so it is judged the way the supervisor judges it — its heartbeat file or its command.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { HealthLevel, ProbeResult } from "../health/probe.js";
import { probeWorker, workerCheckOf } from "../supervisor/worker-probe.js";
import type { Project, Workspace } from "../workspace/types.js";

/** The error code of a failed check, as a deployed worker's checks name it (deploy/worker-health.ts). */
function codeOf(kind: "heartbeat" | "command", probe: { status: string; error?: string }): string {
  if (kind === "command") return probe.status === "timeout" ? "command_timeout" : "command_failed";
  return probe.error?.startsWith("no heartbeat") ? "no_heartbeat" : "heartbeat_stale";
}

/** Projects without a port, without a target in the environment, that name a heartbeat file or a check command. */
export function localWorkers(workspace: Workspace, environment: EnvironmentName, which: string): Project[] {
  const projects = which === "all" ? Object.values(workspace.projects) : [workspace.projects[which]];
  return projects.filter(
    (p): p is Project =>
      p !== undefined &&
      p.port === undefined &&
      workspace.targets[environment]?.[p.name] === undefined &&
      workerCheckOf(p.health, p.dir) !== undefined,
  );
}

/** Probes each worker's heartbeat file (its age against the limit) or runs its check command, in parallel. */
export async function probeLocalWorkers(
  projects: readonly Project[],
  level: HealthLevel,
  now = Date.now(),
): Promise<ProbeResult[]> {
  return Promise.all(
    projects.map(async (project) => {
      const check = workerCheckOf(project.health, project.dir)!;
      const probe = await probeWorker(check, project.health.timeoutSeconds * 1000, now);
      const healthy = probe.status === "healthy";
      return {
        project: project.name,
        url: `local:${check.kind === "heartbeat" ? check.file : project.dir}`,
        level,
        status: healthy ? "healthy" : "unhealthy",
        passing: healthy ? 1 : 0,
        total: 1,
        checks: [
          {
            name: check.kind,
            level: 1,
            status: healthy ? "healthy" : "unhealthy",
            error_code: healthy ? null : codeOf(check.kind, probe),
          },
        ],
      } satisfies ProbeResult;
    }),
  );
}
