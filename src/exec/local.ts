/** The executor for `local` targets: child processes on this machine, files copied with a rename. */
import { spawn } from "node:child_process";
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

export interface LocalExecutorOptions {
  /** the environment every command starts from (default: this process's) */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** how commands are started (tests and the recording executor pass their own) */
  readonly spawn?: typeof spawn;
  /** run each command in its own process group and kill the whole group on timeout (test runners start servers) */
  readonly group?: boolean;
}

/** Runs a command as a child process and collects its output; never throws for a non-zero exit. */
export function runLocal(command: Command, options: LocalExecutorOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  const [file, ...args] = command.argv;
  const env = { ...(options.baseEnv ?? process.env), ...command.env };
  return new Promise((resolve) => {
    const child = (options.spawn ?? spawn)(file!, args, {
      cwd: command.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: options.group,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout = clip(stdout + d)));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr = clip(stderr + d)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (options.group && child.pid) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, command.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${error.message}\n`, durationMs: Date.now() - started });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const status = timedOut ? TIMEOUT_EXIT : (code ?? (signal ? 128 + 9 : 1));
      resolve({ code: status, stdout, stderr, durationMs: Date.now() - started });
    });
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
