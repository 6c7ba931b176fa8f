/**
 * A real OpenSSH server on a loopback port, with generated host and user keys and its own config (TESTING.md), and a
 * client config that `TRADEOPS_SSH_CONFIG` points the SSH executor at. Nothing of the system's SSH setup changes.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
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
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;

export async function startSshd(): Promise<Sshd> {
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
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
