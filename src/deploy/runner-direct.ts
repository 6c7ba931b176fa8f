/**
 * The direct runner: the project's start command, spawned on the target in its own session with the release's env
 * file, detached so it outlives the deploy. Its pid and release are kept in `shared/runner/<colour>.json`.
 */
import { posix } from "node:path";
import { TroError } from "../errors.js";
import { ensureOk } from "../exec/command.js";
import { buildStartArgv } from "../supervisor/command.js";
import type { Project } from "../workspace/types.js";
import { type DeployClock, isoNow, systemClock } from "./clock.js";
import type { TargetLayout } from "./layout.js";
import { aliveCommand, detachCommand, stopCommand, tailCommand } from "./process-commands.js";
import { deepCommandAt, type InstanceInfo, probePort, type ReleaseRunner } from "./runner.js";
import type { TargetFiles } from "./target-files.js";
import type { Color } from "./types.js";

export interface DirectRunnerOptions {
  readonly files: TargetFiles;
  readonly layout: TargetLayout;
  readonly project: Project;
  readonly environment: string;
  /** the account the executor lease is for */
  readonly leaseAccount: string;
  /** the deploying workspace's id (TRADEOPS_WORKSPACE_ID) */
  readonly workspaceId?: string;
  /** stamps `startedAt` (default: the system clock) */
  readonly clock?: DeployClock;
  /** where the executor lease lives (TRADEOPS_LEASE_BACKEND) */
  readonly leaseBackend?: "file" | "postgres";
  /** the host's name in the lease's holder (TRADEOPS_LEASE_HOST), for the PostgreSQL lease across hosts */
  readonly leaseHost?: string;
  /** argv running a line of the project as the release runs it (its env file, and the host's secrets): deepCommand */
  readonly releaseShell: (release: string, line: string) => string[];
}

/** The direct runner of one project on one target host. */
export function createDirectRunner(options: DirectRunnerOptions): ReleaseRunner {
  const { files, layout, project } = options;
  const executor = files.executor;
  const recordOf = (color: Color) => posix.join(layout.runnerDir, `${color}.json`);
  const logOf = (color: Color) => posix.join(layout.logsDir, `${project.name}@${color}.log`);
  const runner: ReleaseRunner = {
    kind: "direct",
    start: async (spec) => {
      const line = project.commands.start;
      if (!line) {
        throw new TroError(
          "TRO_ERR_MANIFEST_INVALID",
          `Project ${project.name} has no start command to run on its target.`,
          {
            hint: `Set projects.${project.name}.commands.start in tradeops.yaml.`,
          },
        );
      }
      for (const path of [spec.releaseDir, layout.shared]) {
        if (/\s/.test(path)) {
          throw new TroError("TRO_ERR_MANIFEST_INVALID", `The target path ${path} contains a space.`, {
            hint: "Use a target path without spaces.",
          });
        }
      }
      await runner.stop(spec.color, 5);
      const vars = {
        ...(spec.port ? { PORT: String(spec.port) } : {}),
        TRADEOPS_COLOR: spec.color,
        TRADEOPS_RELEASE: spec.release,
        TRADEOPS_ORDERS: spec.orders ? "on" : "off",
        TRADEOPS_WORKSPACE: spec.releaseDir,
        TRADEOPS_LEASE_DIR: layout.leaseDir,
        TRADEOPS_LEASE_ACCOUNT: options.leaseAccount,
        TRADEOPS_WORKSPACE_ID: options.workspaceId ?? "",
        TRADEOPS_LEASE_BACKEND: options.leaseBackend ?? "file",
        ...(options.leaseHost ? { TRADEOPS_LEASE_HOST: options.leaseHost } : {}),
        TRADEOPS_INSTANCE: `${project.name}@${spec.color}`,
      };
      const result = ensureOk(
        await executor.run({
          argv: detachCommand({
            log: logOf(spec.color),
            envFile: layout.envFile(spec.release),
            dir: spec.workdir,
            vars,
            argv: buildStartArgv(line),
          }),
        }),
        `start ${project.name}@${spec.color}`,
        executor,
      );
      const info: InstanceInfo = {
        color: spec.color,
        release: spec.release,
        port: spec.port,
        pid: Number(result.stdout.trim()),
        startedAt: isoNow(options.clock ?? systemClock),
      };
      await files.writeJson(recordOf(spec.color), info);
      return info;
    },
    stop: async (color, graceSeconds) => {
      const info = await files.readJson<InstanceInfo>(recordOf(color));
      if (!info) return;
      ensureOk(
        await executor.run({ argv: stopCommand(info.pid, graceSeconds) }),
        `stop ${project.name}@${color}`,
        executor,
      );
      await files.remove(recordOf(color));
    },
    running: async (color) => {
      const info = await files.readJson<InstanceInfo>(recordOf(color));
      if (!info) return undefined;
      return (await executor.run({ argv: aliveCommand(info.pid) })).code === 0 ? info : undefined;
    },
    logTail: async (color, lines = 20) => (await executor.run({ argv: tailCommand(logOf(color), lines) })).stdout,
    health: async (port, level) => {
      const deep = await deepCommandAt(runner, layout, project, port, level, options.releaseShell);
      return probePort(executor, project, port, level, undefined, deep);
    },
  };
  return runner;
}
