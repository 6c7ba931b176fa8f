/**
 * The executor for SSH hosts, through the system's OpenSSH client: it reads ~/.ssh/config (or `configFile`), uses
 * the user's agent and keys, and shares one connection per host (ControlMaster), so that the dozens of small
 * commands of a deploy cost one handshake.
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TroError } from "../errors.js";
import { parseHost } from "../workspace/lookup.js";
import { type Command, type CommandResult, type Executor, ensureOk, type Forward } from "./command.js";
import { runLocal } from "./local.js";
import { quote, shellLine } from "./quote.js";

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
    child.on("error", (error) => resolve({ code: 127, message: error.message }));
    child.on("exit", (code) => {
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
  const ssh = async (line: string, extra: Partial<Command> = {}): Promise<CommandResult> => {
    master ??= openMaster(base, join(controlDir, "master.log"), options.baseEnv);
    const opened = await master;
    if (opened.code !== 0) return { code: 255, stdout: "", stderr: `${opened.message}\n`, durationMs: 0 };
    return raw(line, extra);
  };
  const control = (args: readonly string[]) => runLocal({ argv: ["ssh", ...args, ...base] }, local);
  const executor: Executor = {
    host: options.host,
    local: false,
    run: (command) =>
      ssh(shellLine(command.argv, { cwd: command.cwd, env: command.env }), {
        input: command.input,
        timeoutMs: command.timeoutMs,
      }),
    upload: async (localPath, remotePath) => {
      const tmp = `${remotePath}.part`;
      const line = `mkdir -p ${quote(dirname(remotePath))} && cat > ${quote(tmp)} && mv -f ${quote(tmp)} ${quote(remotePath)}`;
      ensureOk(await ssh(line, { input: readFileSync(localPath) }), `upload ${remotePath}`, executor);
    },
    forward: async (port): Promise<Forward> => {
      ensureOk(await ssh("true"), "open a connection", executor);
      const localPort = await freePort();
      const spec = `127.0.0.1:${localPort}:127.0.0.1:${port}`;
      const opened = await control(["-O", "forward", "-L", spec]);
      if (opened.code !== 0) {
        throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", `Cannot forward port ${port} of ${options.host}.`, {
          hint: "The SSH server must allow TCP forwarding (AllowTcpForwarding).",
        });
      }
      return { localPort, close: async () => void (await control(["-O", "cancel", "-L", spec])) };
    },
    close: async () => {
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
