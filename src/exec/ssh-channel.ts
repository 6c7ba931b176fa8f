/**
 * One long-lived command channel per SSH host: a small node program on the host reads commands as JSON lines and
 * answers each with its exit status and output, so a command costs a round trip on the shared connection instead of
 * a new ssh process, a new session and a new login shell (≈ 100–400 ms each on a loaded machine).
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Command, CommandResult } from "./command.js";
import { clip, DEFAULT_COMMAND_TIMEOUT_MS, TIMEOUT_EXIT } from "./command.js";
import { quote } from "./quote.js";

/** How long the host has to start the channel program before commands go one ssh process each. */
export const CHANNEL_START_TIMEOUT_MS = 15_000;
/** Extra time the host gets to report a command's timeout before the channel itself is given up. */
const CHANNEL_GRACE_MS = 10_000;

/**
 * The host side (plain CommonJS for `node -e`): runs each `{id, line, input, timeoutMs}` with `/bin/sh -c` in its
 * own process group, kills the group on timeout (exit 124), and writes `{id, code, stdout, stderr}` back.
 */
const HOST_PROGRAM = `
const { spawn } = require("child_process");
const out = process.stdout;
const reply = (m) => out.write(JSON.stringify(m) + "\\n");
const run = (m) => {
  const started = Date.now();
  const out = [], err = [];
  let timedOut = false, done = false;
  const finish = (code, extra) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    reply({ id: m.id, code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") + (extra || ""), durationMs: Date.now() - started });
  };
  const child = spawn("/bin/sh", ["-c", m.line], { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, "SIGKILL"); } catch { child.kill("SIGKILL"); } }, m.timeoutMs);
  child.stdout.on("data", (d) => out.push(d));
  child.stderr.on("data", (d) => err.push(d));
  child.on("error", (e) => finish(127, e.message + "\\n"));
  child.on("close", (code, signal) => finish(timedOut ? 124 : code === null ? 128 + (signal === "SIGKILL" ? 9 : 15) : code));
  child.stdin.on("error", () => {});
  child.stdin.end(m.input ? Buffer.from(m.input, "base64") : "");
};
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  for (let i = buf.indexOf("\\n"); i >= 0; i = buf.indexOf("\\n")) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    if (line) run(JSON.parse(line));
  }
});
process.stdin.on("end", () => process.stdin.destroy()); // then node ends once no command runs
reply({ ready: true });
`;

/** The remote line that starts the host side; `node` must be on the login PATH (targets run node anyway). */
export const CHANNEL_LINE = `exec node -e ${quote(HOST_PROGRAM)}`;

export interface CommandChannel {
  run(line: string, command: Pick<Command, "input" | "timeoutMs">): Promise<CommandResult>;
  /** whether the channel still runs (its session keeps the shared connection in use) */
  alive(): boolean;
  close(): void;
}

interface Pending {
  readonly resolve: (result: CommandResult) => void;
  readonly timer: NodeJS.Timeout;
  readonly started: number;
}

/**
 * Starts the channel through `argv` (an ssh command whose remote line is {@link CHANNEL_LINE}); resolves undefined
 * when the host cannot run it (no node there, or the connection failed), so the caller falls back to one process
 * per command.
 */
export function openChannel(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<CommandChannel | undefined> {
  const [file, ...args] = argv;
  const child: ChildProcess = spawn(file!, args, { stdio: ["pipe", "pipe", "ignore"], env: { ...env } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let open = false;
  let dead = false;
  // an idle channel does not keep this process alive (as the backgrounded master does not): a caller that never
  // closes its executor still exits; a command waiting for its answer does keep it alive
  const hold = (busy: boolean) => {
    for (const handle of [child, child.stdout, child.stdin] as ({ ref(): void; unref(): void } | null)[])
      busy ? handle?.ref() : handle?.unref();
  };
  return new Promise((resolveOpen) => {
    const giveUp = setTimeout(() => {
      child.kill("SIGKILL");
    }, CHANNEL_START_TIMEOUT_MS);
    const shutDown = (why: string) => {
      dead = true;
      clearTimeout(giveUp);
      if (!open) resolveOpen(undefined);
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        pending.delete(id);
        p.resolve({ code: 255, stdout: "", stderr: `${why}\n`, durationMs: Date.now() - p.started });
      }
    };
    child.on("error", (error) => shutDown(error.message));
    child.on("exit", (code) => shutDown(`the connection to the host closed (ssh exited ${code ?? "on a signal"})`));
    child.stdin?.on("error", () => undefined);
    let buf = "";
    child.stdout?.setEncoding("utf8").on("data", (data: string) => {
      buf += data;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let message: { ready?: boolean; id?: number; code?: number; stdout?: string; stderr?: string };
        try {
          message = JSON.parse(line);
        } catch {
          continue; // a login script's chatter before the program started
        }
        if (message.ready && !open) {
          open = true;
          clearTimeout(giveUp);
          hold(false);
          resolveOpen(channel);
          continue;
        }
        const p = message.id === undefined ? undefined : pending.get(message.id);
        if (!p) continue;
        clearTimeout(p.timer);
        pending.delete(message.id!);
        if (!pending.size) hold(false);
        p.resolve({
          code: message.code ?? 1,
          stdout: clip(message.stdout ?? ""),
          stderr: clip(message.stderr ?? ""),
          durationMs: Date.now() - p.started,
        });
      }
    });
    const channel: CommandChannel = {
      alive: () => !dead,
      close: () => {
        if (!dead) child.stdin?.end();
      },
      run: (line, command) =>
        new Promise((resolve) => {
          const started = Date.now();
          if (dead) {
            resolve({ code: 255, stdout: "", stderr: "the connection to the host closed\n", durationMs: 0 });
            return;
          }
          const id = nextId++;
          const timeoutMs = command.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
          // the host kills a command at its timeout; a host that does not even answer that loses the channel
          const timer = setTimeout(() => {
            pending.delete(id);
            child.kill("SIGKILL");
            resolve({ code: TIMEOUT_EXIT, stdout: "", stderr: "no answer from the host\n", durationMs: timeoutMs });
          }, timeoutMs + CHANNEL_GRACE_MS);
          pending.set(id, { resolve, timer, started });
          hold(true);
          const input =
            command.input === undefined || command.input.length === 0
              ? undefined
              : Buffer.from(command.input).toString("base64");
          child.stdin?.write(`${JSON.stringify({ id, line, input, timeoutMs })}\n`);
        }),
    };
  });
}
