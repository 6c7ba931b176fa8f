/**
 * The executor for SSH hosts, through the system's OpenSSH client: it reads ~/.ssh/config (or `configFile`), uses
 * the user's agent and keys, and shares one connection per host (ControlMaster), so that the dozens of small
 * commands of a deploy cost one handshake; the commands themselves go through one long-lived command channel on
 * that connection (ssh-channel.ts), and health probes through forwards kept open while it lives.
 */

import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TroError } from "../errors.js";
import { parseHost } from "../workspace/lookup.js";
import { type Command, type CommandResult, type Executor, ensureOk, type Forward } from "./command.js";
import { runLocal } from "./local.js";
import { quote, shellLine } from "./quote.js";
import { CHANNEL_LINE, type CommandChannel, openChannel } from "./ssh-channel.js";

/** How long the shared connection outlives its last command. */
export const CONTROL_PERSIST_SECONDS = 60;
/** How long to wait for the first connection to a host. */
export const CONNECT_TIMEOUT_SECONDS = 10;

export interface SshExecutorOptions {
  /** `user@host[:port]` or a Host alias from the SSH config */
  readonly host: string;
  /** an SSH config file to use instead of ~/.ssh/config (`ssh -F`) */
  readonly configFile?: string;
  /** more `-o` options, e.g. `StrictHostKeyChecking=accept-new` */
  readonly options?: readonly string[];
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** run commands through one long-lived channel (default true); false: one ssh process per command */
  readonly channel?: boolean;
}

/** The ssh arguments shared by every call to one host: batch mode, the control socket, port and config. */
export function sshArgs(options: SshExecutorOptions, controlPath: string): string[] {
  const { destination, port } = parseHost(options.host);
  return [
    ...(options.configFile ? ["-F", options.configFile] : []),
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${CONNECT_TIMEOUT_SECONDS}`,
    "-o",
    `ControlPath=${controlPath}`,
    ...(options.options ?? []).flatMap((o) => ["-o", o]),
    ...(port ? ["-p", String(port)] : []),
    destination,
  ];
}

/** The longest the master connection may take to open (connect, handshake, authentication). */
export const MASTER_DEADLINE_SECONDS = CONNECT_TIMEOUT_SECONDS + 20;

/**
 * Opens the master connection in the background (`-M -N -f`, persisting after the last client). Its stdio are not
 * pipes and its messages go to a file: a backgrounded master holding a pipe would keep every caller waiting.
 */
function openMaster(
  base: readonly string[],
  log: string,
  env: Readonly<Record<string, string | undefined>> | undefined,
): Promise<{ code: number; message: string }> {
  return new Promise((resolve) => {
    const args = ["-M", "-N", "-f", "-o", `ControlPersist=${CONTROL_PERSIST_SECONDS}`, "-E", log, ...base];
    const child = spawn("ssh", args, { stdio: "ignore", env: { ...(env ?? process.env) } });
    // ConnectTimeout bounds the TCP connect only; a server that stalls the handshake is cut off here
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: 255, message: `opening the SSH connection timed out after ${MASTER_DEADLINE_SECONDS} s` });
    }, MASTER_DEADLINE_SECONDS * 1000);
    child.on("error", (error) => {
      clearTimeout(deadline);
      resolve({ code: 127, message: error.message });
    });
    child.on("exit", (code) => {
      clearTimeout(deadline);
      const message = existsSync(log) ? (readFileSync(log, "utf8").trim().split("\n").pop() ?? "") : "";
      resolve({ code: code ?? 255, message });
    });
  });
}

/** Creates an SSH executor; the first command opens the shared connection. */
export function createSshExecutor(options: SshExecutorOptions): Executor {
  const controlDir = mkdtempSync(join(tmpdir(), "tro-ssh-"));
  const controlPath = join(controlDir, "%C");
  const base = sshArgs(options, controlPath);
  const local = { baseEnv: options.baseEnv };
  const raw = (line: string, extra: Partial<Command> = {}) =>
    runLocal({ argv: ["ssh", "-o", "ControlMaster=no", ...base, line], ...extra }, local);
  // the first command opens the master connection; commands started meanwhile wait and share it
  let master: Promise<{ code: number; message: string }> | undefined;
  const control = (args: readonly string[]) => runLocal({ argv: ["ssh", ...args, ...base] }, local);
  // the command channel: opened after the master, reopened if it dies; undefined = the host cannot run it
  let channel: Promise<CommandChannel | undefined> | undefined;
  let channelUnavailable = options.channel === false;
  const viaChannel = async (): Promise<CommandChannel | undefined> => {
    if (channelUnavailable) return undefined;
    const current = channel && (await channel);
    if (current?.alive()) return current;
    channel = openChannel(["ssh", "-o", "ControlMaster=no", ...base, CHANNEL_LINE], options.baseEnv ?? process.env);
    const opened = await channel;
    if (!opened) channelUnavailable = true; // no node on the host: one ssh process per command, as before
    return opened;
  };
  const runLine = async (line: string, extra: Partial<Command> = {}): Promise<CommandResult> => {
    master ??= openMaster(base, join(controlDir, "master.log"), options.baseEnv);
    const opened = await master;
    if (opened.code !== 0) return { code: 255, stdout: "", stderr: `${opened.message}\n`, durationMs: 0 };
    const open = await viaChannel();
    return open ? open.run(line, extra) : raw(line, extra);
  };
  // forwards stay open while the channel's session keeps the master in use; otherwise one per probe, as before
  const forwards = new Map<number, Promise<number>>();
  const openForward = async (port: number): Promise<number> => {
    const localPort = await freePort();
    const opened = await control(["-O", "forward", "-L", forwardSpec(localPort, port)]);
    if (opened.code !== 0) {
      throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", `Cannot forward port ${port} of ${options.host}.`, {
        hint: "The SSH server must allow TCP forwarding (AllowTcpForwarding).",
      });
    }
    return localPort;
  };
  const executor: Executor = {
    host: options.host,
    local: false,
    run: (command) =>
      runLine(shellLine(command.argv, { cwd: command.cwd, env: command.env }), {
        input: command.input,
        timeoutMs: command.timeoutMs,
      }),
    upload: async (localPath, remotePath) => {
      // one stream on the shared connection, straight from the file; the temporary name keeps it atomic
      master ??= openMaster(base, join(controlDir, "master.log"), options.baseEnv);
      const opened = await master;
      if (opened.code !== 0)
        ensureOk({ code: 255, stdout: "", stderr: opened.message, durationMs: 0 }, `upload ${remotePath}`, executor);
      const tmp = `${remotePath}.part`;
      const line = `mkdir -p ${quote(dirname(remotePath))} && cat > ${quote(tmp)} && mv -f ${quote(tmp)} ${quote(remotePath)}`;
      ensureOk(
        await streamTo(["ssh", "-o", "ControlMaster=no", ...base, line], localPath, options.baseEnv),
        `upload ${remotePath}`,
        executor,
      );
    },
    forward: async (port): Promise<Forward> => {
      ensureOk(await runLine("true"), "open a connection", executor);
      const live = (await channel)?.alive() ?? false;
      if (live) {
        let known = forwards.get(port);
        if (!known) {
          known = openForward(port);
          forwards.set(port, known);
          known.catch(() => forwards.delete(port));
        }
        return { localPort: await known, close: async () => undefined };
      }
      const localPort = await openForward(port);
      const spec = forwardSpec(localPort, port);
      return { localPort, close: async () => void (await control(["-O", "cancel", "-L", spec])) };
    },
    close: async () => {
      (await channel)?.close();
      if (master && (await master).code === 0) await control(["-O", "exit"]);
      rmSync(controlDir, { recursive: true, force: true });
    },
  };
  return executor;
}

/** A port nobody listens on right now, for the local end of a forward. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const forwardSpec = (localPort: number, port: number) => `127.0.0.1:${localPort}:127.0.0.1:${port}`;

/** Runs `argv` with a file as its standard input, streamed rather than read into memory. */
function streamTo(
  argv: readonly string[],
  file: string,
  env: Readonly<Record<string, string | undefined>> | undefined,
): Promise<CommandResult> {
  const started = Date.now();
  const [command, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(command!, args, { stdio: ["pipe", "ignore", "pipe"], env: { ...(env ?? process.env) } });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (error) => resolve({ code: 127, stdout: "", stderr: error.message, durationMs: 0 }));
    child.on("close", (code) => resolve({ code: code ?? 255, stdout: "", stderr, durationMs: Date.now() - started }));
    child.stdin?.on("error", () => undefined);
    createReadStream(file)
      .on("error", (error) => {
        stderr += `${error.message}\n`;
        child.kill("SIGKILL");
      })
      .pipe(child.stdin!);
  });
}
