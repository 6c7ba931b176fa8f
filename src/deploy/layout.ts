/**
 * Where things live on a target, below its base path (Capistrano's layout, plus what a blue/green switch needs):
 *
 *   releases/<id>/            one immutable release: the manifest, the project, the shared paths
 *   shared/env/<release>.env  each release's config and secrets (0600): a restart or a rollback never runs with
 *                             another release's environment
 *   shared/deploy.lock/       the deploy lock (mkdir is atomic), owner.json inside
 *   shared/state.json         which colour runs which release; the deploy in progress, step by step
 *   shared/releases.json      every release kept here, its status, and when it passed gate 11
 *   shared/history.jsonl      one line per deploy, rollback, recovery and lock break
 *   shared/proxy/             the front proxy: its program, its pid and ports, its route
 *   shared/persist/<path>     the project's persistent paths (`persist:`), linked into every release
 *   shared/runner/ shared/supervisor/ shared/lease/ shared/logs/
 *
 * Paths are POSIX: a remote target's layout is built on this machine.
 */
import { posix } from "node:path";
import { PERSIST_DIR, RELEASES_DIR, SHARED_DIR } from "../workspace/release.js";

export interface TargetLayout {
  readonly base: string;
  readonly releasesDir: string;
  readonly shared: string;
  readonly envDir: string;
  readonly lockDir: string;
  readonly lockOwner: string;
  readonly state: string;
  readonly releases: string;
  readonly history: string;
  readonly proxyDir: string;
  readonly proxyProgram: string;
  readonly runnerDir: string;
  readonly supervisorDir: string;
  readonly leaseDir: string;
  readonly logsDir: string;
  readonly persistDir: string;
  readonly digestSalt: string;
  /** the directory of one release */
  release(id: string): string;
  /** the uploaded tarball of one release, removed once unpacked */
  tarball(id: string): string;
  /** the env file of one release */
  envFile(id: string): string;
  /** the directory a release's project runs in */
  workdir(id: string, projectPath: string): string;
}

/** The layout below a target's base path (each project's target has its own base path). */
export function targetLayout(base: string): TargetLayout {
  const j = posix.join;
  const shared = j(base, SHARED_DIR);
  const releasesDir = j(base, RELEASES_DIR);
  const lockDir = j(shared, "deploy.lock");
  const proxyDir = j(shared, "proxy");
  return {
    base,
    releasesDir,
    shared,
    envDir: j(shared, "env"),
    lockDir,
    lockOwner: j(lockDir, "owner.json"),
    state: j(shared, "state.json"),
    releases: j(shared, "releases.json"),
    history: j(shared, "history.jsonl"),
    proxyDir,
    proxyProgram: j(proxyDir, "front-proxy.mjs"),
    runnerDir: j(shared, "runner"),
    supervisorDir: j(shared, "supervisor"),
    leaseDir: j(shared, "lease"),
    logsDir: j(shared, "logs"),
    persistDir: j(shared, PERSIST_DIR),
    digestSalt: j(shared, ".digest-salt"),
    release: (id) => j(releasesDir, id),
    tarball: (id) => j(releasesDir, `${id}.tar.gz`),
    envFile: (id) => j(shared, "env", `${id}.env`),
    workdir: (id, projectPath) => j(releasesDir, id, projectPath),
  };
}
