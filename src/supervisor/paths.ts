/** Where the supervisor keeps its socket, lock, state, PID files and logs for one workspace and environment. */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SOCKET_PATH_MAX } from "./constants.js";

export interface StateLayout {
  readonly dir: string;
  readonly socket: string;
  /** the supervisor's PID file, created exclusively: one supervisor per directory */
  readonly pidFile: string;
  /** who holds the PID file (pid, start time, workspace, environment) */
  readonly infoFile: string;
  readonly stateFile: string;
  readonly eventsFile: string;
  /** the background supervisor's own output */
  readonly daemonLog: string;
  readonly pidsDir: string;
  readonly logsDir: string;
}

/** `TRADEOPS_STATE_DIR` when set (deploy sets one per target), else `<workspace>/.tradeops/<environment>/supervisor`. */
export function resolveStateDir(
  workspaceRoot: string,
  environment: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const override = env.TRADEOPS_STATE_DIR;
  if (override) return resolve(workspaceRoot, override);
  return join(workspaceRoot, ".tradeops", environment, "supervisor");
}

/** The file layout below a state directory. */
export function stateLayout(dir: string): StateLayout {
  return {
    dir,
    socket: socketPath(dir),
    pidFile: join(dir, "supervisor.pid"),
    infoFile: join(dir, "supervisor.json"),
    stateFile: join(dir, "state.json"),
    eventsFile: join(dir, "events.jsonl"),
    daemonLog: join(dir, "supervisor.log"),
    pidsDir: join(dir, "pids"),
    logsDir: join(dir, "logs"),
  };
}

/**
 * In the state directory, unless that path is too long for a Unix socket; then a hashed name in a private
 * (0700) per-user directory under the temp dir.
 */
export function socketPath(dir: string): string {
  const inside = join(dir, "supervisor.sock");
  if (Buffer.byteLength(inside) <= SOCKET_PATH_MAX) return inside;
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 16);
  return join(tmpdir(), `tradeops-${process.getuid?.() ?? "user"}`, `${hash}.sock`);
}

/** The instance's log file: one per service and colour. */
export function logFileOf(layout: StateLayout, name: string): string {
  return join(layout.logsDir, `${name}.log`);
}

/** A service's standard error, kept apart from its standard output. */
export function errLogFileOf(layout: StateLayout, name: string): string {
  return join(layout.logsDir, `${name}.err.log`);
}

export function pidFileOf(layout: StateLayout, name: string): string {
  return join(layout.pidsDir, `${name}.pid`);
}
