/**
 * Commands as data (STYLE 3, Kamal's `commands/*`): builders return argv arrays, and one `Executor` runs them on
 * this machine, over SSH, or records them for tests. Nothing here knows what a deploy is.
 */
import { TroError } from "../errors.js";

/** One command to run on a host: an argv (never a shell line, unless argv[0] is a shell), where, and with what. */
export interface Command {
  readonly argv: readonly string[];
  /** working directory on the host */
  readonly cwd?: string;
  /** extra variables; never secrets (they would show in the host's process list), those go in 0600 env files */
  readonly env?: Readonly<Record<string, string>>;
  /** bytes written to the command's standard input */
  readonly input?: string | Uint8Array;
  readonly timeoutMs?: number;
}

export interface CommandResult {
  /** the exit status; 124 when the command timed out (as coreutils' `timeout` reports it) */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** set when the command was stopped at its deadline: the deadline */
  readonly timedOutAfterMs?: number;
}

/** A port on this machine that reaches a port on the host's loopback interface. */
export interface Forward {
  readonly localPort: number;
  close(): Promise<void>;
}

/** Runs commands on one host. `host` is `local` or `user@host[:port]` as the manifest writes it. */
export interface Executor {
  readonly host: string;
  readonly local: boolean;
  run(command: Command): Promise<CommandResult>;
  /** copies a file of this machine to a path on the host (atomically: the path never holds a partial file) */
  upload(localPath: string, remotePath: string): Promise<void>;
  /** reaches a loopback port of the host from this machine (the same port when the host is this machine) */
  forward(port: number): Promise<Forward>;
  /** ends shared connections; the executor must not be used afterwards */
  close(): Promise<void>;
}

/** How long a command may run when it does not say: long enough for an install, short enough to notice a hang. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 600_000;
/** Output kept per stream; the rest of a chatty command is dropped from the middle. */
export const OUTPUT_LIMIT_BYTES = 1024 * 1024;
/** The exit status reported for a command that ran out of time. */
export const TIMEOUT_EXIT = 124;

/** `sh -c SCRIPT sh ARG…`: a fixed script with its arguments passed as positional parameters, never spliced in. */
export function sh(script: string, ...args: readonly string[]): string[] {
  return ["sh", "-c", script, "sh", ...args];
}

/** The last `lines` lines of a command's output, for an error message. */
export function tail(text: string, lines = 5): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Returns the result when the command succeeded, otherwise throws with the command's last error lines.
 * @throws TroError TRO_ERR_TARGET_UNAVAILABLE when SSH itself failed (255), TRO_ERR_COMMAND_FAILED otherwise
 */
export function ensureOk(
  result: CommandResult,
  what: string,
  executor: Pick<Executor, "host" | "local">,
): CommandResult {
  if (result.code === 0) return result;
  // one sentence: the output's own closing full stop gives way to the message's
  const detail = tail(result.stderr || result.stdout, 3)
    .replace(/\s+/g, " ")
    .replace(/[\s.]+$/, "");
  if (!executor.local && result.code === 255) {
    throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", `Cannot reach ${executor.host} to ${what}: ${detail}.`, {
      hint: "Check the host, user, port and key (`ssh` reads ~/.ssh/config); then retry.",
    });
  }
  const status =
    result.code === TIMEOUT_EXIT
      ? `timed out${result.timedOutAfterMs ? ` after ${Math.round(result.timedOutAfterMs / 100) / 10} s` : ""}`
      : `exited ${result.code}`;
  throw new TroError(
    "TRO_ERR_COMMAND_FAILED",
    `Could not ${what} on ${executor.host}: ${status}${detail ? `: ${detail}` : ""}.`,
    {
      hint: "Read the command's output above; fix the cause on the target and retry.",
    },
  );
}

/** Keeps the first and last halves of an over-long output. */
export function clip(text: string): string {
  if (text.length <= OUTPUT_LIMIT_BYTES) return text;
  const half = OUTPUT_LIMIT_BYTES / 2;
  return `${text.slice(0, half)}\n… ${text.length - OUTPUT_LIMIT_BYTES} characters dropped …\n${text.slice(-half)}`;
}
