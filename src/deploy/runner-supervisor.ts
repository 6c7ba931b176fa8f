/**
 * The supervisor runner: a release runs as instance `PROJECT@COLOUR` of the tradeops supervisor on the target
 * (`tradeops start|status|supervisor stop`), so it is restarted on a crash and comes back after a reboot under
 * systemd. Each colour has its own supervisor (`shared/supervisor/<colour>`): a supervisor resolves config and
 * secrets from the workspace it was started for, so the idle colour's supervisor is stopped before a release
 * starts there and the new one is started for the release's own directory (which carries its manifest).
 */
import { posix } from "node:path";
import { ensureOk, sh } from "../exec/command.js";
import type { Project } from "../workspace/types.js";
import { type DeployClock, isoNow, systemClock } from "./clock.js";
import { HOST_LOGS_TIMEOUT_MS } from "./constants.js";
import type { TargetLayout } from "./layout.js";
import { aliveCommand, tailCommand } from "./process-commands.js";
import { deepCommandAt, type InstanceInfo, probePort, type ReleaseRunner } from "./runner.js";
import type { TargetFiles } from "./target-files.js";
import type { Color } from "./types.js";

export interface SupervisorRunnerOptions {
  readonly files: TargetFiles;
  readonly layout: TargetLayout;
  readonly project: Project;
  readonly environment: string;
  /** argv that runs tradeops on the target, e.g. `["node", "/opt/tradeops/bin/tradeops.js"]` */
  readonly tradeops: readonly string[];
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
  /**
   * `secrets: host`: log lines are read through the host's `tradeops logs`, which replaces the secrets it resolves
   * there (this machine never knows them, so a release that logs its key would otherwise show it in a failure here)
   */
  readonly logsScrubbedOnHost?: boolean;
}

interface StatusInstance {
  readonly color: Color | null;
  readonly release: string | null;
  readonly pid: number | null;
  readonly port: number | null;
  readonly state: string;
  readonly startedAt: string | null;
  readonly logFile: string;
  /** absent from the records of older supervisors, which wrote both streams to logFile */
  readonly errLogFile?: string;
}

/** Supervisor states in which the instance's process runs (starting: not yet healthy; unhealthy: failing checks). */
const LIVE_STATES = new Set(["starting", "running", "unhealthy"]);

/** An instance as the supervisor's `state.json` records it (the fields the runner reads). */
interface RecordedInstance {
  readonly request?: { readonly color?: string; readonly release?: string; readonly port?: number };
  readonly state?: string;
  readonly pid?: number | null;
  readonly startedAt?: string | null;
  readonly runningSince?: string | null;
}

/** The newest release directory on the target: any release is a workspace good enough for `status` and `stop`. */
const NEWEST = 'ls -1t "$1" 2>/dev/null | grep -v "\\.tar\\.gz$" | head -n 1';

/** The supervisor runner of one project on one target host. */
export function createSupervisorRunner(options: SupervisorRunnerOptions): ReleaseRunner {
  const { files, layout, project } = options;
  const executor = files.executor;
  const stateDir = (color: Color) => posix.join(layout.supervisorDir, color);
  const tradeops = (color: Color, workspace: string, ...args: string[]) => ({
    argv: [...options.tradeops, "--workspace", workspace, "--env", options.environment, ...args],
    env: {
      TRADEOPS_STATE_DIR: stateDir(color),
      TRADEOPS_LEASE_DIR: layout.leaseDir,
      TRADEOPS_LEASE_ACCOUNT: options.leaseAccount,
      TRADEOPS_WORKSPACE_ID: options.workspaceId ?? "",
      TRADEOPS_LEASE_BACKEND: options.leaseBackend ?? "file",
      ...(options.leaseHost ? { TRADEOPS_LEASE_HOST: options.leaseHost } : {}),
    },
  });
  const anyRelease = async (): Promise<string | undefined> => {
    const name = (await executor.run({ argv: sh(NEWEST, layout.releasesDir) })).stdout.trim();
    return name ? layout.release(name) : undefined;
  };
  const instance = async (color: Color): Promise<StatusInstance | undefined> => {
    const workspace = await anyRelease();
    if (!workspace || (await files.read(posix.join(stateDir(color), "state.json"))) === undefined) return undefined;
    const result = await executor.run(tradeops(color, workspace, "status", project.name, "--json"));
    if (result.code !== 0) return undefined;
    const parsed = JSON.parse(result.stdout) as { instances?: StatusInstance[] };
    return parsed.instances?.find((i) => i.color === color);
  };
  const scrubbedTail = async (color: Color, lines: number): Promise<string> => {
    const workspace = await anyRelease();
    if (!workspace || (await files.read(posix.join(stateDir(color), "state.json"))) === undefined) return "";
    const args = ["logs", project.name, "-n", String(lines), "--json"];
    const result = await executor.run({ ...tradeops(color, workspace, ...args), timeoutMs: HOST_LOGS_TIMEOUT_MS });
    try {
      const parsed = JSON.parse(result.stdout) as { lines?: readonly { stream: string; line: string }[] };
      // standard output, then standard error (where a crash says why), as the log files are read otherwise
      const ordered = ["out", "err"].flatMap((stream) => (parsed.lines ?? []).filter((l) => l.stream === stream));
      return ordered.map((l) => `${l.line}\n`).join("");
    } catch {
      // no answer: no lines, rather than lines nobody scrubbed
      return "";
    }
  };
  const runner: ReleaseRunner = {
    kind: "supervisor",
    start: async (spec) => {
      await runner.stop(spec.color, 5);
      const args = ["start", project.name, "--color", spec.color, "--release", spec.release, "--dir", spec.workdir];
      // a worker (no port) gets none: the supervisor judges it by its heartbeat, command or liveness
      if (spec.port) args.push("--port", String(spec.port));
      args.push("--orders", spec.orders ? "on" : "off");
      // no --wait-healthy: the deploy waits for health itself, within its --start-timeout, and a release that
      // crashes at start is seen at once (the supervisor puts it in backoff) instead of after every restart
      ensureOk(
        await executor.run(tradeops(spec.color, spec.releaseDir, ...args)),
        `start ${project.name}@${spec.color}`,
        executor,
      );
      const found = await runner.running(spec.color);
      return {
        color: spec.color,
        release: spec.release,
        port: spec.port,
        pid: found?.pid ?? 0,
        startedAt: found?.startedAt || isoNow(options.clock ?? systemClock),
      };
    },
    stop: async (color, graceSeconds) => {
      const workspace = await anyRelease();
      if (!workspace || (await files.read(posix.join(stateDir(color), "supervisor.pid"))) === undefined) return;
      // stops the colour's instance and its supervisor; a later start launches one for the new release
      const args = ["supervisor", "stop", "--grace", String(graceSeconds)];
      ensureOk(await executor.run(tradeops(color, workspace, ...args)), `stop ${project.name}@${color}`, executor);
    },
    running: async (color) => {
      // the supervisor's own state file and a pid check: a round trip, not a tradeops process per question
      const state = await files
        .readJson<{ instances?: readonly RecordedInstance[] }>(posix.join(stateDir(color), "state.json"))
        .catch(() => undefined);
      const found = state?.instances?.find((i) => i.request?.color === color);
      if (!found?.state || !LIVE_STATES.has(found.state) || !found.pid) return undefined;
      // a worker runs without a port
      if (!found.request?.release) return undefined;
      if ((await executor.run({ argv: aliveCommand(found.pid) })).code !== 0) return undefined;
      const info: InstanceInfo = {
        color,
        release: found.request.release,
        port: found.request.port ?? 0,
        pid: found.pid,
        startedAt: found.runningSince ?? found.startedAt ?? "",
      };
      return info;
    },
    logTail: async (color, lines = 20) => {
      if (options.logsScrubbedOnHost) return scrubbedTail(color, lines);
      const found = await instance(color);
      if (!found) return "";
      const tails = await Promise.all(
        [found.logFile, found.errLogFile ?? ""]
          .filter(Boolean)
          .map(async (file) => (await executor.run({ argv: tailCommand(file, lines) })).stdout),
      );
      return tails.join("");
    },
    health: async (port, level) => {
      const deep = await deepCommandAt(runner, layout, project, port, level, options.releaseShell);
      return probePort(executor, project, port, level, undefined, deep);
    },
  };
  return runner;
}
