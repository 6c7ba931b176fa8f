/**
 * Several SSH hosts on one machine, each a real sshd in its own network and mount namespace (TESTING.md: network
 * namespaces give each test host its own address space): the same target path is a different directory on each,
 * the same ports are free on each, and what a host reaches of this machine (a broker, PostgreSQL) goes through a
 * reverse tunnel over its sshd. `freeze()` stops every process of a host (SIGSTOP: its sshd, sessions, tunnel and
 * releases — a partition), `thaw()` continues them. The client reaches each sshd through `nsenter`.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SshHost {
  /** the manifest's name for it: `root@<alias>` */
  readonly host: string;
  /** what the target path holds on this host, as seen from this machine */
  readonly dir: string;
  /** the pids of every process in the host's namespaces */
  pids(): number[];
  freeze(): void;
  thaw(): void;
}

export interface SshHosts {
  readonly hosts: SshHost[];
  /** an `ssh -F` config reaching every host */
  readonly clientConfig: string;
  /** the path every host has its own directory at */
  readonly path: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 15_000;
const PIPE = `const s=require("net").connect(Number(process.argv[1]),"127.0.0.1");process.stdin.pipe(s);s.pipe(process.stdout);s.on("error",()=>process.exitCode=1);s.on("close",()=>process.stdin.destroy())`;
const PROBE = `require("net").connect(Number(process.argv[1]),"127.0.0.1").on("connect",function(){this.destroy()}).on("error",()=>process.exitCode=1)`;

/**
 * Starts one sshd per name; `tunnels` are ports of this machine's loopback each host reaches on its own loopback.
 */
export async function startSshHosts(names: readonly string[], tunnels: readonly number[]): Promise<SshHosts> {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-hosts-"));
  const path = join(dir, "srv");
  mkdirSync(path);
  mkdirSync("/run/sshd", { recursive: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "user")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user.pub")), { mode: 0o600 });
  const clientConfig = join(dir, "ssh_config");
  const children: ReturnType<typeof spawn>[] = [];
  const hosts: SshHost[] = [];
  const config: string[] = [];
  try {
    for (const name of names) {
      const root = join(dir, `${name}-root`);
      mkdirSync(root);
      const sshdConfig = join(dir, `${name}-sshd_config`);
      writeFileSync(
        sshdConfig,
        [
          "Port 22",
          "ListenAddress 127.0.0.1",
          `HostKey ${join(dir, "host")}`,
          `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "PermitRootLogin prohibit-password",
          "StrictModes no",
          "UsePAM no",
          "AllowTcpForwarding yes",
          `PidFile ${join(dir, `${name}-sshd.pid`)}`,
          "",
        ].join("\n"),
      );
      // unshare execs sh, which execs sshd: the child's pid is the sshd's, inside its own namespaces
      const child = spawn(
        "unshare",
        [
          "-m",
          "-n",
          "--propagation",
          "private",
          "sh",
          "-c",
          'ip link set lo up && mount --bind "$1" "$2" && exec /usr/sbin/sshd -D -f "$3" -E "$4"',
          "sh",
          root,
          path,
          sshdConfig,
          join(dir, `${name}-sshd.log`),
        ],
        { stdio: "ignore" },
      );
      children.push(child);
      const pid = child.pid!;
      config.push(
        `Host ${name}`,
        "  HostName 127.0.0.1",
        "  User root",
        `  IdentityFile ${join(dir, "user")}`,
        "  IdentitiesOnly yes",
        "  StrictHostKeyChecking no",
        "  UserKnownHostsFile /dev/null",
        "  LogLevel ERROR",
        `  ProxyCommand nsenter -t ${pid} -n ${process.execPath} -e '${PIPE}' 22`,
        "",
      );
      const netns = () => readlinkSync(`/proc/${pid}/ns/net`);
      const ns = { value: "" };
      const pids = () => {
        try {
          ns.value ||= netns();
        } catch {
          return []; // the sshd never started, or is gone with its namespace
        }
        // before unshare took effect the child is still in this machine's namespace: never touch those processes
        if (ns.value === readlinkSync("/proc/self/ns/net")) {
          ns.value = "";
          return [];
        }
        const found: number[] = [];
        for (const entry of readdirSync("/proc")) {
          if (!/^\d+$/.test(entry)) continue;
          try {
            if (readlinkSync(`/proc/${entry}/ns/net`) === ns.value) found.push(Number(entry));
          } catch {}
        }
        return found;
      };
      const signal = (sig: NodeJS.Signals) => {
        for (const p of pids()) {
          try {
            process.kill(p, sig);
          } catch {}
        }
      };
      hosts.push({
        host: `root@${name}`,
        dir: root,
        pids,
        freeze: () => signal("SIGSTOP"),
        thaw: () => signal("SIGCONT"),
      });
    }
    writeFileSync(clientConfig, config.join("\n"));
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (const name of names) {
      while (!sshOk(clientConfig, name)) {
        if (Date.now() > deadline) throw new Error(`sshd ${name} did not start: ${readLog(dir, name)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // each host reaches this machine's ports through a reverse tunnel over its own sshd
    for (const [i, name] of names.entries()) {
      const forwards = tunnels.flatMap((p) => ["-R", `127.0.0.1:${p}:127.0.0.1:${p}`]);
      const tunnel = spawn("ssh", ["-F", clientConfig, "-N", "-o", "ExitOnForwardFailure=yes", ...forwards, name], {
        stdio: "ignore",
      });
      children.push(tunnel);
      const sshdPid = children[i]!.pid!;
      for (const port of tunnels) {
        while (!probe(sshdPid, port)) {
          if (Date.now() > deadline || tunnel.exitCode !== null)
            throw new Error(`the tunnel to port ${port} on ${name} did not open`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  } catch (error) {
    await stopAll(children, hosts, dir);
    throw error;
  }
  return { hosts, clientConfig, path, stop: () => stopAll(children, hosts, dir) };
}

async function stopAll(children: ReturnType<typeof spawn>[], hosts: readonly SshHost[], dir: string): Promise<void> {
  for (const h of hosts) {
    h.thaw();
    for (const p of h.pids()) {
      try {
        process.kill(p, "SIGKILL");
      } catch {}
    }
  }
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(
    children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : null)),
  );
  rmSync(dir, { recursive: true, force: true });
}

function sshOk(config: string, name: string): boolean {
  try {
    execFileSync("ssh", ["-F", config, "-o", "BatchMode=yes", "-o", "ConnectTimeout=2", name, "true"], {
      stdio: "ignore",
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

function probe(pid: number, port: number): boolean {
  try {
    execFileSync("nsenter", ["-t", String(pid), "-n", process.execPath, "-e", PROBE, String(port)], {
      stdio: "ignore",
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

function readLog(dir: string, name: string): string {
  const log = join(dir, `${name}-sshd.log`);
  return existsSync(log) ? readFileSync(log, "utf8") : "no log";
}
