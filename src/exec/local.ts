/**
 * The executor for `local` targets, and the one way tradeops runs an external command on this machine with a hard
 * deadline: each command gets its own process group; at the deadline the group is sent SIGTERM, then SIGKILL after
 * a short grace, and the pipes are closed — so neither a grandchild that ignores signals nor one that keeps the
 * output pipe open (`sleep 60 &`) can make the caller wait past the deadline.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import {
  type Command,
  type CommandResult,
  clip,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type Executor,
  type Forward,
  TIMEOUT_EXIT,
} from "./command.js";

/** After SIGTERM at the deadline, how long the group has before SIGKILL. */
export const KILL_GRACE_MS = 1_000;
/** After the command exited, how long its output pipes may stay open (held by a process it left behind). */
export const PIPE_DRAIN_MS = 500;

export interface LocalExecutorOptions {
  /** the environment every command starts from (default: this process's) */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** how commands are started (tests and the recording executor pass their own) */
  readonly spawn?: typeof spawn;
  /** kept for callers that asked for it: every command now runs in its own process group */
  readonly group?: boolean;
}

/** `12 s`, `0.5 s`: how a deadline is named in messages. */
export function seconds(ms: number): string {
  return `${ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10} s`;
}

/** Signals a child's whole process group (falling back to the child alone). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Runs a command as a child process in its own process group and collects its output; never throws for a
 * non-zero exit. At `timeoutMs` the group is terminated and the result is 124 with `timedOutAfterMs` set.
 */
export function runLocal(command: Command, options: LocalExecutorOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  const [file, ...args] = command.argv;
  const env = { ...(options.baseEnv ?? process.env), ...command.env };
  const timeoutMs = command.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = (options.spawn ?? spawn)(file!, args, {
      cwd: command.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let exitCode: number | null | undefined;
    let exitSignal: NodeJS.Signals | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: Omit<CommandResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      resolve({ ...result, durationMs: Date.now() - started });
    };
    const outcome = () => {
      if (timedOut) {
        const note = `${file} timed out after ${seconds(timeoutMs)}; its process group was killed`;
        return {
          code: TIMEOUT_EXIT,
          stdout,
          stderr: `${stderr}${stderr && !stderr.endsWith("\n") ? "\n" : ""}${note}\n`,
          timedOutAfterMs: timeoutMs,
        };
      }
      return { code: exitCode ?? (exitSignal ? 128 + 9 : 1), stdout, stderr };
    };
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout = clip(stdout + d)));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr = clip(stderr + d)));
    timers.push(
      setTimeout(() => {
        timedOut = true;
        killGroup(child, "SIGTERM");
        killGroup(child, "SIGCONT");
        timers.push(
          setTimeout(() => {
            killGroup(child, "SIGKILL");
            // whatever still holds the pipes, the caller has waited long enough
            timers.push(setTimeout(() => finish(outcome()), 100));
          }, KILL_GRACE_MS),
        );
      }, timeoutMs),
    );
    child.on("error", (error) => {
      finish({ code: 127, stdout, stderr: `${stderr}${error.message}\n` });
    });
    child.on("exit", (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // a process left behind may hold the pipes open: give them a moment, then stop reading (it is not killed:
      // a command may legitimately leave a daemon behind, in its own session or not)
      timers.push(setTimeout(() => finish(outcome()), PIPE_DRAIN_MS));
    });
    child.on("close", () => finish(outcome()));
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(command.input ?? "");
  });
}

/** This machine as a deploy target. */
export function createLocalExecutor(options: LocalExecutorOptions = {}): Executor {
  return {
    host: "local",
    local: true,
    run: (command) => runLocal(command, options),
    upload: async (localPath, remotePath) => {
      mkdirSync(dirname(remotePath), { recursive: true });
      const tmp = `${remotePath}.${process.pid}.part`;
      copyFileSync(localPath, tmp);
      renameSync(tmp, remotePath);
    },
    forward: async (port): Promise<Forward> => ({ localPort: port, close: async () => undefined }),
    close: async () => undefined,
  };
}
