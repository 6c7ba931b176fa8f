/**
 * How a release runs on a target, behind one interface so the switch does not care: the supervisor's
 * `tradeops start|stop|status` (on servers) or the start command spawned directly (the quick start, and what the
 * tests can run today). Health is probed the same way for both, through the executor's forward.
 */
import { type Executor, tail } from "../exec/command.js";
import { type HealthLevel, type ProbeResult, probeHealth } from "../health/probe.js";
import { DEEP_PATH } from "../health/targets.js";
import type { Project } from "../workspace/types.js";
import type { TargetLayout } from "./layout.js";
import { COLORS, type Color } from "./types.js";

export interface StartSpec {
  readonly color: Color;
  readonly release: string;
  /** the release's workspace root on the target */
  readonly releaseDir: string;
  /** the project's directory inside the release */
  readonly workdir: string;
  readonly port: number;
  /** whether the instance may send orders once it holds the executor lease */
  readonly orders: boolean;
}

export interface InstanceInfo {
  readonly color: Color;
  readonly release: string;
  readonly port: number;
  readonly pid: number;
  readonly startedAt: string;
}

export interface ReleaseRunner {
  readonly kind: "direct" | "supervisor";
  /** starts the instance; resolves once its process runs (health is the caller's to wait for) */
  start(spec: StartSpec): Promise<InstanceInfo>;
  /** stops the colour's instance: SIGTERM, then SIGKILL after the grace; nothing when none runs */
  stop(color: Color, graceSeconds: number): Promise<void>;
  /** the colour's instance when its process runs */
  running(color: Color): Promise<InstanceInfo | undefined>;
  /** the last lines the colour's instance wrote */
  logTail(color: Color, lines?: number): Promise<string>;
  /** probes a port of the target at a level (forwarded when the target is remote) */
  health(port: number, level: HealthLevel): Promise<ProbeResult>;
}

/** Probes `port` on the executor's host with the project's health paths. */
export async function probePort(
  executor: Executor,
  project: Project,
  port: number,
  level: HealthLevel,
  token?: string,
  /** how `health.deepCommand` runs for the release on the port: in its project directory, as its lines run */
  deep?: DeepCommand,
): Promise<ProbeResult> {
  const forward = await executor.forward(port);
  try {
    return await probeHealth(
      {
        project: project.name,
        url: `http://127.0.0.1:${forward.localPort}`,
        remote: false,
        paths: {
          level1: project.health.path,
          level2: project.health.detailedPath,
          level3: project.health.deepPath ?? DEEP_PATH,
        },
        timeoutMs: project.health.timeoutSeconds * 1000,
      },
      {
        level,
        token,
        ...(deep ? { deepCommand: () => deepCommandOn(executor, deep, port, project) } : {}),
      },
    );
  } finally {
    await forward.close();
  }
}

/** How long `health.deepCommand` may run. */
export const DEEP_COMMAND_TIMEOUT_MS = 15_000;

/** `health.deepCommand` of one release: its argv (the line with the release's env file and secrets) and directory. */
export interface DeepCommand {
  readonly argv: readonly string[];
  readonly dir: string;
}

/**
 * `health.deepCommand` for the release serving on `port` at level 3 (else undefined): in its project directory, as
 * `shell` runs the release's lines (its env file; with `secrets: host`, the host's secrets too).
 */
export async function deepCommandAt(
  runner: Pick<ReleaseRunner, "running">,
  layout: TargetLayout,
  project: Project,
  port: number,
  level: HealthLevel,
  shell: (release: string, line: string) => string[],
): Promise<DeepCommand | undefined> {
  const line = project.health.deepCommand;
  if (level < 3 || !line) return undefined;
  for (const color of COLORS) {
    const info = await runner.running(color);
    if (info?.port === port)
      return { argv: shell(info.release, line), dir: layout.workdir(info.release, project.path) };
  }
  return undefined;
}

/** Runs `health.deepCommand` on the host, with PORT set to the colour's port. */
async function deepCommandOn(executor: Executor, deep: DeepCommand, port: number, project: Project) {
  const timeoutMs = Math.max(DEEP_COMMAND_TIMEOUT_MS, project.health.timeoutSeconds * 1000);
  const result = await executor.run({ argv: deep.argv, cwd: deep.dir, env: { PORT: String(port) }, timeoutMs });
  return result.code;
}

/** One line for a failure reason: the last lines of a log, on one line. */
export function logSnippet(text: string, lines = 3): string {
  return tail(text, lines)
    .replace(/\s*\n\s*/g, " | ")
    .slice(0, 400);
}
