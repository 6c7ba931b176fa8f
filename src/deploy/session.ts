/**
 * Everything a deploy, a rollback or a recovery uses on one host of one project's target, built once: the executor,
 * the layout, the records, the lock, the front proxy, the runner and the executor lease.
 */

import type { Executor } from "../exec/command.js";
import type { HealthLevel, ProbeResult } from "../health/probe.js";
import { parseHost } from "../workspace/lookup.js";
import type { Project } from "../workspace/types.js";
import { type DeployClock, systemClock } from "./clock.js";
import { releaseShell } from "./host-secrets.js";
import { type TargetLayout, targetLayout } from "./layout.js";
import { type LeaseDriver, leaseAccount } from "./lease-driver.js";
import { openLeaseDriver } from "./lease-open.js";
import { type DeployLock, openDeployLock } from "./lock.js";
import { probePortless } from "./portless-switch.js";
import { type ProxyControl, proxyControl } from "./proxy/control.js";
import { type TargetRecords, targetRecords } from "./records.js";
import type { ReleaseRunner } from "./runner.js";
import { bridgeRunners } from "./runner-choice.js";
import { createDirectRunner } from "./runner-direct.js";
import { createSupervisorRunner } from "./runner-supervisor.js";
import { scrubbingFiles, type TargetFiles, targetFiles } from "./target-files.js";
import type { ResolvedTarget } from "./types.js";

export interface TargetSession {
  readonly project: Project;
  readonly target: ResolvedTarget;
  readonly host: string;
  readonly executor: Executor;
  /** the time every step, record and wait on this host reads */
  readonly clock: DeployClock;
  readonly files: TargetFiles;
  readonly layout: TargetLayout;
  readonly records: TargetRecords;
  readonly lock: DeployLock;
  readonly proxy: ProxyControl;
  readonly runner: ReleaseRunner;
  /** argv running tradeops on the host (the supervisor runner's, and `secrets: host`'s checks and commands) */
  readonly tradeops: readonly string[];
  /** the executor lease, for projects that send orders */
  readonly lease?: LeaseDriver;
  /** probes the public port (through the proxy) */
  probePublic(level: HealthLevel): Promise<ProbeResult>;
}

export interface SessionOptions {
  readonly project: Project;
  readonly target: ResolvedTarget;
  readonly host: string;
  readonly executor: Executor;
  readonly hostname: string;
  /** `direct` (default) or `supervisor` */
  readonly runner?: "direct" | "supervisor";
  /** the runner recorded on the target before `--runner` changed it: what still runs under it is stopped too */
  readonly previousRunner?: "direct" | "supervisor";
  /** argv running tradeops on a local target, for the supervisor runner (remote hosts run `tradeops` from PATH) */
  readonly tradeops?: readonly string[];
  /** the node binary on the target (default: this process's on local targets, `node` on remote ones) */
  readonly node?: string;
  /** replaces every secret the deploy knows of in text bound for the target's records and lock */
  readonly scrub?: (text: string) => string;
  /** the deploying workspace's id, handed to every release it starts (their instances carry it) */
  readonly workspaceId?: string;
  /** the environment's PostgreSQL, for a target whose executor lease lives there (`lease: postgres`) */
  readonly postgresLease?: { readonly url: string; readonly display: string };
  /** the deploy's clock (default: the system's) */
  readonly clock?: DeployClock;
}

/** Opens a session on one host. */
export function openSession(options: SessionOptions): TargetSession {
  const { project, target, executor } = options;
  const environment = target.environment;
  const layout = targetLayout(target.path);
  const files = targetFiles(executor);
  const scrub = options.scrub ?? ((text: string) => text);
  const clock = options.clock ?? systemClock;
  const recordFiles = scrubbingFiles(files, scrub);
  const account = leaseAccount(project.accounts[environment]);
  const tradeops = (executor.local && options.tradeops) || ["tradeops"];
  const runnerOptions = {
    files,
    layout,
    project,
    environment,
    releaseShell: (release: string, line: string) => releaseShell({ layout, target, project, tradeops }, release, line),
    leaseAccount: account,
    leaseBackend: target.lease,
    workspaceId: options.workspaceId ?? "",
    clock,
    // the PostgreSQL lease spans hosts: each host's process of a release holds it under its own name
    ...(project.sendsOrders && target.lease === "postgres" ? { leaseHost: options.host } : {}),
  };
  const runnerOf = (kind: "direct" | "supervisor" | undefined) =>
    kind === "supervisor"
      ? createSupervisorRunner({ ...runnerOptions, tradeops, logsScrubbedOnHost: target.secrets === "host" })
      : createDirectRunner(runnerOptions);
  const chosen = runnerOf(options.runner);
  const runner =
    options.previousRunner && options.previousRunner !== chosen.kind
      ? bridgeRunners(chosen, runnerOf(options.previousRunner))
      : chosen;
  const lease = project.sendsOrders ? openLeaseDriver(options, layout.leaseDir, account) : undefined;
  const session: TargetSession = {
    project,
    target,
    host: options.host,
    executor,
    clock,
    files,
    layout,
    records: targetRecords(recordFiles, layout),
    lock: openDeployLock({ files: recordFiles, layout, hostname: options.hostname, scrub, now: clock.now }),
    proxy: proxyControl({
      files,
      layout,
      publicPort: target.port,
      bindHost: bindAddress(options.host),
      node: options.node ?? (executor.local ? process.execPath : "node"),
    }),
    runner,
    tradeops,
    lease,
    probePublic: (level) => (target.style ? probePortless(session, level) : runner.health(target.port, level)),
  };
  return session;
}

/** Where the public port listens: loopback when the target is reached on loopback (this machine), else everywhere. */
export function bindAddress(host: string): string {
  const spec = parseHost(host);
  return spec.local || /^(127\.|localhost$|::1$)/.test(spec.host) ? "127.0.0.1" : "0.0.0.0";
}
