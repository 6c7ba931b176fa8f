/**
 * `tradeops health` for running instances: on this machine, each project's instance is found the way `halt`
 * finds it (supervisor state, the target's records, `--port`), and a service that says who it is must be the
 * instance asked for — a stopped bot is never reported healthy because another workspace's answers on its port.
 */
import { join } from "node:path";
import { probeDeployedPortless } from "../deploy/portless-health.js";
import { DEEP_COMMAND_TIMEOUT_MS } from "../deploy/runner.js";
import type { EnvironmentName } from "../environment/names.js";
import { runLocal } from "../exec/local.js";
import { type HealthLevel, type ProbeResult, probeHealth } from "../health/probe.js";
import type { InstanceView } from "../health/reports.js";
import { type HealthTarget, selectHealthTargets, type TargetSelection } from "../health/targets.js";
import type { Workspace } from "../workspace/types.js";
import { ensureIdentity } from "./control-client.js";
import { type InstanceLocation, locateInstances } from "./locate.js";
import { localWorkers, probeLocalWorkers } from "./worker-health.js";

export interface CheckHealthOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  /** a project, or `all` */
  readonly which: string;
  readonly level: HealthLevel;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** an explicit port for the one project named (its identity is still checked) */
  readonly port?: number;
  /** the control token, sent for level 3 to remote hosts only */
  readonly token?: string;
  /** argv running tradeops here, to ask a supervisor-run release on a local target */
  readonly tradeops?: readonly string[];
}

export interface HealthOutcome {
  readonly results: readonly ProbeResult[];
  readonly skipped: TargetSelection["skipped"];
}

/**
 * Probes every endpoint in parallel.
 * @throws TroError TRO_ERR_INSTANCE_MISMATCH when a service on this machine says it is another instance
 */
export async function checkHealth(o: CheckHealthOptions): Promise<HealthOutcome> {
  // workers and static frontends deployed without a port answer through their target's own checks
  const portless = await probeDeployedPortless(o);
  if (o.which !== "all" && portless.projects.size) return { results: portless.results, skipped: [] };
  // workers on this machine without a target answer through their heartbeat file or check command
  const workers = localWorkers(o.workspace, o.environment, o.which);
  const local = await probeLocalWorkers(workers, o.level);
  if (o.which !== "all" && local.length) return { results: local, skipped: [] };
  const { targets, skipped: all } = selectHealthTargets(o.workspace, o.environment, o.which);
  const answered = new Set([...portless.projects, ...workers.map((w) => w.name)]);
  const skipped = all.filter((s) => !answered.has(s.project));
  const planned: { target: HealthTarget; location?: InstanceLocation }[] = targets.map((target) => {
    if (target.remote) return { target };
    const project = o.workspace.projects[target.project]!;
    const location = locateInstances({
      workspace: o.workspace,
      environment: o.environment,
      project,
      env: o.env,
      ...(o.port !== undefined ? { port: o.port } : {}),
    })[0];
    if (!location) return { target };
    return { target: { ...target, url: `http://127.0.0.1:${location.port}` }, location };
  });
  const results = await Promise.all(
    planned.map(({ target }) => {
      const project = o.workspace.projects[target.project]!;
      const line = project.health.deepCommand;
      const port = new URL(target.url).port;
      const deepCommand =
        line && !target.remote && o.level >= 3
          ? async () =>
              (
                await runLocal(
                  {
                    argv: ["sh", "-c", line],
                    cwd: join(o.workspace.root, project.path),
                    timeoutMs: DEEP_COMMAND_TIMEOUT_MS,
                  },
                  { baseEnv: { ...o.env, PORT: port } },
                )
              ).code
          : undefined;
      return probeHealth(target, {
        level: o.level,
        token: target.remote ? o.token : undefined,
        ...(deepCommand ? { deepCommand } : {}),
      });
    }),
  );
  for (const [i, result] of results.entries()) {
    const location = planned[i]!.location;
    // a service in another language may not say who it is; one that does must be the one asked for
    if (location && result.instance) ensureIdentity(location, result.instance as unknown as InstanceView);
  }
  return { results: [...results, ...portless.results, ...local], skipped };
}
