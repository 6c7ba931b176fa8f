/** The sessions of one project's target, one per host, as a deploy and a rollback open them. */
import type { EnvironmentName } from "../environment/names.js";
import type { Executor } from "../exec/command.js";
import { workspaceIdOf } from "../workspace/identity.js";
import type { Workspace } from "../workspace/types.js";
import type { DeployClock } from "./clock.js";
import { ensureHostRunner } from "./host-secrets.js";
import { postgresLeaseLocation } from "./lease-driver.js";
import { chooseRunner, type RunnerChoice } from "./runner-choice.js";
import { openSession, type TargetSession } from "./session.js";
import type { ResolvedTarget } from "./types.js";

export interface OpenedHost {
  readonly session: TargetSession;
  /** the runner recorded on the host (or --runner, or the default on a first deploy): recorded once locked */
  readonly choice: RunnerChoice;
}

export interface OpenHostsOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly executorFor: (host: string) => Executor;
  readonly hostname: string;
  readonly runner?: "direct" | "supervisor";
  readonly tradeops?: readonly string[];
  /** the variables a `postgres:${VAR}` signal store expands */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly scrub?: (text: string) => string;
  readonly clock: DeployClock;
}

/** Opens a session on every host of a project's target. */
export async function openHosts(o: OpenHostsOptions, target: ResolvedTarget): Promise<OpenedHost[]> {
  const project = o.workspace.projects[target.project]!;
  const out: OpenedHost[] = [];
  for (const host of target.hosts) {
    const executor = o.executorFor(host);
    const choice = await chooseRunner(executor, target.path, o.runner);
    // before anything changes on any host: a runner that cannot resolve the host's own secrets is refused
    ensureHostRunner(target, host, choice, o.runner);
    const session = openSession({
      project,
      target,
      host,
      executor,
      hostname: o.hostname,
      runner: choice.kind,
      previousRunner: choice.recorded,
      tradeops: o.tradeops,
      workspaceId: workspaceIdOf(o.workspace),
      clock: o.clock,
      ...(o.scrub ? { scrub: o.scrub } : {}),
      ...(project.sendsOrders && target.lease === "postgres"
        ? { postgresLease: postgresLeaseLocation(o.workspace, o.environment, o.env) }
        : {}),
    });
    out.push({ session, choice });
  }
  return out;
}
