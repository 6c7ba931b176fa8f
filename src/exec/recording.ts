/**
 * An executor that writes down every command it is given, then answers from a script or passes the command on to
 * a real executor. Plan and command-builder tests assert on what would run (as Kamal's tests assert command
 * strings); integration tests wrap a real executor to see what did run.
 */
import type { Command, CommandResult, Executor, Forward } from "./command.js";

export interface RecordedCall {
  readonly kind: "run" | "upload" | "forward";
  readonly command?: Command;
  readonly localPath?: string;
  readonly remotePath?: string;
  readonly port?: number;
}

export interface RecordingExecutor extends Executor {
  readonly calls: RecordedCall[];
  /** the argv of every `run`, joined with spaces, for compact assertions */
  lines(): string[];
}

export interface RecordingOptions {
  readonly host?: string;
  /** a real executor to pass every call on to */
  readonly inner?: Executor;
  /** the answer to a command when there is no inner executor (default: exit 0, no output) */
  readonly respond?: (command: Command) => Partial<CommandResult> | undefined;
}

/** Creates a recording executor. */
export function createRecordingExecutor(options: RecordingOptions = {}): RecordingExecutor {
  const calls: RecordedCall[] = [];
  const inner = options.inner;
  return {
    host: options.host ?? inner?.host ?? "local",
    local: inner?.local ?? (options.host ?? "local") === "local",
    calls,
    lines: () => calls.filter((c) => c.kind === "run").map((c) => c.command!.argv.join(" ")),
    run: async (command) => {
      calls.push({ kind: "run", command });
      if (inner) return inner.run(command);
      return { code: 0, stdout: "", stderr: "", durationMs: 0, ...options.respond?.(command) };
    },
    upload: async (localPath, remotePath) => {
      calls.push({ kind: "upload", localPath, remotePath });
      await inner?.upload(localPath, remotePath);
    },
    forward: async (port): Promise<Forward> => {
      calls.push({ kind: "forward", port });
      return inner ? inner.forward(port) : { localPort: port, close: async () => undefined };
    },
    close: async () => inner?.close(),
  };
}
