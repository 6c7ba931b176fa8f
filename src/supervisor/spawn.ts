/**
 * Processes the supervisor runs or adopts. A service is spawned in its own process group (so a stop reaches
 * everything it started) and writes straight to its log file (so it outlives a supervisor crash: no pipe to
 * break). A process found alive by a restarted supervisor is adopted: watched by polling, since it is no longer
 * our child.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { TroError } from "../errors.js";
import { ADOPTED_POLL_MS, KILL_WAIT_MS } from "./constants.js";
import { isSameProcess, processStartTime } from "./process-info.js";

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** ended while not our child: the code is unknown */
  readonly unobserved: boolean;
}

export interface ProcessHandle {
  readonly pid: number;
  readonly startTime: string | undefined;
  readonly adopted: boolean;
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** signals the whole process group (the service and whatever it started) */
  signal(signal: NodeJS.Signals): void;
  /** stops watching it (the supervisor exits and leaves it running for the next one to adopt) */
  release(): void;
  /** the IPC channel of a process spawned with `ipc` (a warm spare) */
  readonly channel?: MessageChannel;
}

export interface MessageChannel {
  /** false when the channel is closed */
  send(message: unknown): boolean;
  onMessage(listener: (message: unknown) => void): void;
}

export interface SpawnOptions {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** appended to by the service's stdout (and its stderr when there is no errLogFile) */
  readonly logFile: string;
  /** appended to by the service's stderr */
  readonly errLogFile?: string;
  /** open an IPC channel to it (node's `process.send`), for a warm spare */
  readonly ipc?: boolean;
}

/** Starts and adopts processes; injected so that tests and other executors can replace it. */
export interface Spawner {
  spawn(options: SpawnOptions): Promise<ProcessHandle>;
  adopt(pid: number, startTime: string | undefined): ProcessHandle | undefined;
}

/** Sends a signal to a process group, or to the process alone when it leads none; a gone process is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }
}

/** The local spawner: detached process groups, stdout and stderr appended to the log file. */
export function createLocalSpawner(pollMs = ADOPTED_POLL_MS): Spawner {
  return {
    async spawn(options) {
      if (!existsSync(options.cwd)) {
        throw new TroError("TRO_ERR_COMMAND_FAILED", `Cannot start in ${options.cwd}: the directory does not exist.`, {
          hint: "Check --dir, or the project's path in tradeops.yaml.",
        });
      }
      const fd = openSync(options.logFile, "a", 0o600);
      const errFd = options.errLogFile ? openSync(options.errLogFile, "a", 0o600) : fd;
      try {
        const child = spawn(options.argv[0]!, options.argv.slice(1), {
          cwd: options.cwd,
          env: options.env,
          detached: true,
          stdio: options.ipc ? ["ignore", fd, errFd, "ipc"] : ["ignore", fd, errFd],
        });
        await new Promise<void>((resolve, reject) => {
          child.once("spawn", resolve);
          child.once("error", (error) =>
            reject(
              new TroError("TRO_ERR_COMMAND_FAILED", `Cannot start ${options.argv[0]}: ${error.message}.`, {
                hint: "Check the project's start command in tradeops.yaml.",
                cause: error,
              }),
            ),
          );
        });
        const pid = child.pid!;
        let done = false;
        const exited = new Promise<ExitInfo>((resolve) => {
          child.once("exit", (code, signal) => {
            done = true;
            // whatever the service left behind in its group goes with it
            signalGroupQuietly(pid, "SIGKILL");
            resolve({ code, signal, unobserved: false });
          });
        });
        return {
          pid,
          startTime: processStartTime(pid),
          adopted: false,
          exited,
          hasExited: () => done,
          signal: (sig) => signalGroup(pid, sig),
          release: () => child.unref(),
          ...(options.ipc
            ? {
                channel: {
                  send: (message: unknown) => {
                    if (!child.connected) return false;
                    // with a callback, a send that fails reports there instead of as an 'error' event
                    child.send(message as object, () => undefined);
                    return true;
                  },
                  onMessage: (listener: (message: unknown) => void) => void child.on("message", listener),
                },
              }
            : {}),
        };
      } finally {
        closeSync(fd);
        if (errFd !== fd) closeSync(errFd);
      }
    },
    adopt(pid, startTime) {
      if (!isSameProcess(pid, startTime)) return undefined;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise<ExitInfo>((resolve) => {
        timer = setInterval(() => {
          if (isSameProcess(pid, startTime)) return;
          clearInterval(timer);
          done = true;
          signalGroupQuietly(pid, "SIGKILL");
          resolve({ code: null, signal: null, unobserved: true });
        }, pollMs);
        timer.unref();
      });
      return {
        pid,
        startTime,
        adopted: true,
        exited,
        hasExited: () => done,
        signal: (sig) => {
          // never signal a pid that now belongs to someone else
          if (isSameProcess(pid, startTime)) signalGroup(pid, sig);
        },
        release: () => clearInterval(timer),
      };
    },
  };
}

function signalGroupQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // nothing left in the group
  }
}

export interface TerminateResult {
  /** SIGKILL was needed */
  readonly forced: boolean;
  /** the process is gone (false only when even SIGKILL did not end it in time) */
  readonly exited: boolean;
  readonly exit?: ExitInfo;
}

/** Graceful, then forced (execa's forceKillAfterDelay): SIGTERM (and SIGCONT, so a stopped process sees it), SIGKILL after `graceMs`. */
export async function terminate(handle: ProcessHandle, graceMs: number): Promise<TerminateResult> {
  const within = (ms: number) =>
    new Promise<ExitInfo | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      void handle.exited.then((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  if (!handle.hasExited()) {
    handle.signal("SIGTERM");
    handle.signal("SIGCONT");
  }
  const graceful = await within(graceMs);
  if (graceful) return { forced: false, exited: true, exit: graceful };
  handle.signal("SIGKILL");
  const forced = await within(KILL_WAIT_MS);
  return { forced: true, exited: Boolean(forced), exit: forced };
}
