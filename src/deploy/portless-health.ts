/**
 * `tradeops health` for projects deployed without a port: a worker's checks (its process, heartbeat or command) or a
 * static frontend's `current`, asked on each host of the environment's target through its executor — the same
 * checks as gate 9 and the monitoring window.
 */
import { posix } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import type { Executor } from "../exec/command.js";
import { createExecutor } from "../exec/create.js";
import type { HealthLevel, ProbeResult } from "../health/probe.js";
import type { Workspace } from "../workspace/types.js";
import { targetLayout } from "./layout.js";
import { probePortless } from "./portless-switch.js";
import { targetRecords } from "./records.js";
import { openSession } from "./session.js";
import { targetFiles } from "./target-files.js";
import { findTarget, projectsWithTargets } from "./targets.js";

export interface PortlessHealth {
  readonly results: ProbeResult[];
  /** the projects these results answer for */
  readonly projects: ReadonlySet<string>;
}

/** How the active release runs: under its colour's supervisor when one was started for it, else directly. */
async function runnerOf(executor: Executor, base: string): Promise<"direct" | "supervisor"> {
  const layout = targetLayout(base);
  const files = targetFiles(executor);
  const active = (await targetRecords(files, layout).readState()).active;
  if (!active || (await files.read(posix.join(layout.runnerDir, `${active}.json`))) !== undefined) return "direct";
  const supervised = await files.read(posix.join(layout.supervisorDir, active, "state.json"));
  return supervised === undefined ? "direct" : "supervisor";
}

/** Probes the portless targets of one project or `all` in an environment; projects with a port are left out. */
export async function probeDeployedPortless(o: {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly which: string;
  readonly level: HealthLevel;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly executorFor?: (host: string) => Executor;
  /** argv running tradeops on a local target, to ask a supervisor-run release (remote hosts: `tradeops`) */
  readonly tradeops?: readonly string[];
}): Promise<PortlessHealth> {
  const names = o.which === "all" ? projectsWithTargets(o.workspace, o.environment) : [o.which];
  const results: ProbeResult[] = [];
  const projects = new Set<string>();
  const opened: Executor[] = [];
  try {
    for (const name of names) {
      const project = o.workspace.projects[name];
      let target: ReturnType<typeof findTarget>;
      try {
        target = project && findTarget(o.workspace, o.environment, name);
      } catch {
        continue; // a target the manifest cannot resolve: deploy and `config validate` say why
      }
      if (!project || !target?.style) continue;
      projects.add(name);
      for (const host of target.hosts) {
        const executor = o.executorFor?.(host) ?? createExecutor(host, { env: o.env });
        if (!o.executorFor) opened.push(executor);
        // a read needs no executor lease: the session is opened as for a project that sends none
        const session = openSession({
          project: { ...project, sendsOrders: false },
          target,
          host,
          executor,
          hostname: "",
          runner: await runnerOf(executor, target.path),
          tradeops: o.tradeops,
        });
        results.push(await probePortless(session, o.level));
      }
    }
  } finally {
    for (const executor of opened) await executor.close().catch(() => undefined);
  }
  return { results, projects };
}
