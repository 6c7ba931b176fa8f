/**
 * A private copy of the example desk as a git repository, with the alpine-backend staging target moved to free
 * ports and a local AWS endpoint holding its secret, for deploy tests. `cleanup()` stops, by pid, every process a
 * deploy left running on the target (releases and the front proxy), then removes the copy.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type FakeAws, startFakeAws } from "./aws-server.js";
import { copyWorkspace } from "./cli.js";
import { type Sshd, startSshd } from "./sshd.js";

export const STAGING_SECRET = "staging-analytics-key-7f3a9c1e5b";

export interface DeployDesk {
  readonly root: string;
  readonly aws: FakeAws;
  readonly port: number;
  readonly internal: readonly [number, number];
  /** the target's base path */
  readonly target: string;
  readonly env: Record<string, string>;
  git(...args: string[]): string;
  /** writes a file, commits it, returns the new HEAD */
  commit(message: string, files: Record<string, string>): string;
  /** replaces text in tradeops.yaml and commits */
  editManifest(from: string | RegExp, to: string): void;
  readJson<T>(relative: string): T | undefined;
  cleanup(): Promise<void>;
}

/** Ports nobody listens on now (three consecutive are not needed: each is picked alone). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer();
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface DeskOptions {
  /** more staging policy lines, e.g. `blockedDays: [fri]` */
  readonly stagingPolicy?: readonly string[];
}

export async function createDeployDesk(options: DeskOptions = {}): Promise<DeployDesk> {
  const root = copyWorkspace();
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const manifest = join(root, "tradeops.yaml");
  let text = readFileSync(manifest, "utf8");
  text = text.replace("port: 8201, internalPorts: [8202, 8203]", `port: ${port}, internalPorts: [${blue}, ${green}]`);
  text = text.replace(
    "  staging:\n    healthLevel: 2\n    monitorSeconds: 10",
    `  staging:\n    healthLevel: 2\n    monitorSeconds: 1${(options.stagingPolicy ?? []).map((l) => `\n    ${l}`).join("")}`,
  );
  writeFileSync(manifest, text);
  const aws = await startFakeAws();
  aws.secrets.set("alpine/staging/analytics-api-key", STAGING_SECRET);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    USER: "tester",
    ...aws.env(),
  };
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: root,
      env: {
        ...env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@t",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@t",
      },
    }).toString();
  git("init", "-q", "-b", "main");
  // the deployer the records name comes from git
  git("config", "user.email", "tester");
  git("add", "-A");
  git("commit", "-qm", "the desk");
  const target = join(root, ".tradeops/targets/staging/alpine-backend");
  const desk: DeployDesk = {
    root,
    aws,
    port,
    internal: [blue, green],
    target,
    env,
    git,
    commit: (message, files) => {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
      }
      git("add", "-A");
      git("commit", "-qm", message);
      return git("rev-parse", "HEAD").trim();
    },
    editManifest: (from, to) => {
      writeFileSync(manifest, readFileSync(manifest, "utf8").replace(from, to));
      git("commit", "-qam", "manifest");
    },
    readJson: <T>(relative: string) => {
      const path = join(target, relative);
      return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
    },
    cleanup: async () => {
      killTargetProcesses(target);
      await aws.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return desk;
}

/** Stops every process group a target records: both colours and the front proxy's restart loop. */
export function killTargetProcesses(target: string): void {
  const pids: number[] = [];
  const runner = join(target, "shared/runner");
  if (existsSync(runner)) {
    for (const f of readdirSync(runner)) {
      try {
        pids.push((JSON.parse(readFileSync(join(runner, f), "utf8")) as { pid: number }).pid);
      } catch {}
    }
  }
  const supervisors = join(target, "shared/supervisor");
  if (existsSync(supervisors)) {
    for (const color of readdirSync(supervisors)) {
      const dir = join(supervisors, color);
      if (existsSync(join(dir, "supervisor.pid")))
        pids.push(Number(readFileSync(join(dir, "supervisor.pid"), "utf8").trim()));
      if (existsSync(join(dir, "pids"))) {
        for (const f of readdirSync(join(dir, "pids")))
          pids.push(Number(readFileSync(join(dir, "pids", f), "utf8").trim()));
      }
    }
  }
  const loop = join(target, "shared/proxy/loop.pid");
  if (existsSync(loop)) pids.push(Number(readFileSync(loop, "utf8").trim()));
  const proxy = join(target, "shared/proxy/proxy.json");
  if (existsSync(proxy)) pids.push((JSON.parse(readFileSync(proxy, "utf8")) as { pid: number }).pid);
  for (const pid of pids.filter((p) => p > 1)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {}
    }
  }
}

export interface SshTargetDesk {
  readonly desk: DeployDesk;
  readonly sshd: Sshd;
  /** alpine-backend's staging base path on the "remote" host (a directory under the desk) */
  readonly remote: string;
}

/**
 * The desk with alpine-backend's staging target on a private sshd, for the tests of one file or describe block:
 * set up before them, its processes, desk and sshd gone after them; the getter returns it.
 */
export function deskWithSshTarget(): () => SshTargetDesk {
  let sshd: Sshd | undefined;
  let desk: DeployDesk | undefined;
  let remote: string | undefined;
  beforeAll(async () => {
    sshd = await startSshd();
    desk = await createDeployDesk();
    remote = join(desk.root, "remote-host/srv/alpine-staging");
    desk.editManifest(
      "alpine-backend: { hosts: [local], path: .tradeops/targets/staging/alpine-backend,",
      `alpine-backend: { hosts: [${sshd.host}], path: ${remote},`,
    );
    desk.env.TRADEOPS_SSH_CONFIG = sshd.clientConfig;
  }, 30_000);
  afterAll(async () => {
    if (remote) killTargetProcesses(remote);
    await desk?.cleanup();
    await sshd?.stop();
  });
  return () => {
    if (!sshd || !desk || !remote) throw new Error("the desk with an SSH target was not set up");
    return { desk, sshd, remote };
  };
}
