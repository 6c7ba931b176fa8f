/**
 * A real OpenSSH server on a loopback port, with generated host and user keys and its own config (TESTING.md), and a
 * client config that `TRADEOPS_SSH_CONFIG` points the SSH executor at. Nothing of the system's SSH setup changes.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { tradeopsOnPath } from "./cli.js";
import { freePorts } from "./deploy-desk.js";

export interface Sshd {
  readonly port: number;
  readonly user: string;
  /** `user@127.0.0.1:port`, as a manifest's `hosts` names it */
  readonly host: string;
  /** an `ssh -F` config with the key and no host-key prompts */
  readonly clientConfig: string;
  /** how many logins the server accepted so far */
  logins(): number;
  /** runs a command on the host over SSH (as the deploy does); its exit code and output */
  exec(argv: readonly string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
/** a tradeops command on the host starts in about a second; a loaded machine may take many times that */
const EXEC_TIMEOUT_MS = 60_000;

/** One word for the remote shell. */
const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

export interface SshdOptions {
  /** this checkout's CLI on the sessions' PATH as `tradeops`, as on a host where tradeops is installed */
  readonly tradeops?: boolean;
  /** more variables every session has (values without spaces), e.g. the AWS settings of a host with a role */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-sshd-"));
  const [port] = (await freePorts(1)) as [number];
  const user = userInfo().username;
  mkdirSync("/run/sshd", { recursive: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "user")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user.pub")), { mode: 0o600 });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      "AllowTcpForwarding yes",
      "LogLevel VERBOSE",
      `PidFile ${join(dir, "sshd.pid")}`,
      ...setEnv(dir, options),
      "",
    ].join("\n"),
  );
  const clientConfig = join(dir, "ssh_config");
  writeFileSync(
    clientConfig,
    [
      "Host 127.0.0.1",
      `  IdentityFile ${join(dir, "user")}`,
      "  IdentitiesOnly yes",
      "  StrictHostKeyChecking no",
      "  UserKnownHostsFile /dev/null",
      "  LogLevel ERROR",
      "",
    ].join("\n"),
  );
  const log = join(dir, "sshd.log");
  // -D: stays in the foreground as our child, so it is stopped by pid
  const child = spawn("/usr/sbin/sshd", ["-D", "-f", join(dir, "sshd_config"), "-E", log], { stdio: "ignore" });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const probe = spawnSyncSsh(clientConfig, user, port);
    if (probe === 0) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`sshd did not start: ${existsSync(log) ? readFileSync(log, "utf8") : "no log"}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    user,
    host: `${user}@127.0.0.1:${port}`,
    clientConfig,
    logins: () => (readFileSync(log, "utf8").match(/Accepted publickey/g) ?? []).length,
    exec: (argv) => {
      const done = spawnSync(
        "ssh",
        ["-F", clientConfig, "-o", "BatchMode=yes", "-p", String(port), `${user}@127.0.0.1`, "--", ...argv.map(quote)],
        { encoding: "utf8", timeout: EXEC_TIMEOUT_MS },
      );
      return { code: done.status ?? 1, stdout: done.stdout ?? "", stderr: done.stderr ?? "" };
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One sshd for a test file: started before its tests, stopped after them; the getter returns it. */
export function sshdForFile(options: SshdOptions | (() => SshdOptions) = {}): () => Sshd {
  let sshd: Sshd | undefined;
  beforeAll(async () => {
    sshd = await startSshd(typeof options === "function" ? options() : options);
  }, 30_000);
  afterAll(async () => {
    await sshd?.stop();
  });
  return () => {
    if (!sshd) throw new Error("the sshd did not start");
    return sshd;
  };
}

/** The sessions' extra variables, as one SetEnv line (sshd keeps the first of a repeated keyword). */
function setEnv(dir: string, options: SshdOptions): string[] {
  const vars = {
    ...(options.tradeops ? { PATH: tradeopsOnPath(dir, process.env.PATH) } : {}),
    ...options.env,
  };
  const words = Object.entries(vars).map(([name, value]) => `${name}=${value}`);
  return words.length ? [`SetEnv ${words.join(" ")}`] : [];
}

function spawnSyncSsh(config: string, user: string, port: number): number {
  try {
    execFileSync(
      "ssh",
      ["-F", config, "-o", "BatchMode=yes", "-o", "ConnectTimeout=2", "-p", String(port), `${user}@127.0.0.1`, "true"],
      {
        stdio: "ignore",
        timeout: 5000,
      },
    );
    return 0;
  } catch {
    return 1;
  }
}
