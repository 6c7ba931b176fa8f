/**
 * Everything a deploy, a rollback or a recovery uses on one host of one project's target, built once: the executor,
 * the layout, the records, the lock, the front proxy, the runner and the executor lease.
 */

import { TroError } from "../errors.js";
import type { Executor } from "../exec/command.js";
import type { HealthLevel, ProbeResult } from "../health/probe.js";
import { parseHost } from "../workspace/lookup.js";
import type { Project } from "../workspace/types.js";
import { type TargetLayout, targetLayout } from "./layout.js";
import { type LeaseDriver, leaseAccount, localLeaseDriver, postgresLeaseDriver } from "./lease-driver.js";
import { type DeployLock, openDeployLock } from "./lock.js";
import { probePortless } from "./portless-switch.js";
import { type ProxyControl, proxyControl } from "./proxy/control.js";
import { type TargetRecords, targetRecords } from "./records.js";
import type { ReleaseRunner } from "./runner.js";
import { createDirectRunner } from "./runner-direct.js";
import { createSupervisorRunner } from "./runner-supervisor.js";
import { scrubbingFiles, type TargetFiles, targetFiles } from "./target-files.js";
import type { ResolvedTarget } from "./types.js";

export interface TargetSession {
  readonly project: Project;
  readonly target: ResolvedTarget;
  readonly host: string;
  readonly executor: Executor;
  readonly files: TargetFiles;
  readonly layout: TargetLayout;
  readonly records: TargetRecords;
  readonly lock: DeployLock;
  readonly proxy: ProxyControl;
  readonly runner: ReleaseRunner;
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
}

/** Opens a session on one host. */
export function openSession(options: SessionOptions): TargetSession {
  const { project, target, executor } = options;
  const environment = target.environment;
  const layout = targetLayout(target.path);
  const files = targetFiles(executor);
  const scrub = options.scrub ?? ((text: string) => text);
  const recordFiles = scrubbingFiles(files, scrub);
  const account = leaseAccount(project.accounts[environment]);
  const runnerOptions = {
    files,
    layout,
    project,
    environment,
    leaseAccount: account,
    leaseBackend: target.lease,
    workspaceId: options.workspaceId ?? "",
  };
  const runner =
    options.runner === "supervisor"
      ? createSupervisorRunner({ ...runnerOptions, tradeops: (executor.local && options.tradeops) || ["tradeops"] })
      : createDirectRunner(runnerOptions);
  let lease: LeaseDriver | undefined;
  if (project.sendsOrders) {
    if (!executor.local) {
      throw new TroError(
        "TRO_ERR_TARGET_UNAVAILABLE",
        `${project.name} sends orders, and the order handoff on SSH hosts is not available yet (${options.host}).`,
        { hint: "Deploy order-sending projects to `local` targets, run on the server itself, for now." },
      );
    }
    if (target.lease === "postgres") {
      if (!options.postgresLease) {
        throw new TroError(
          "TRO_ERR_MANIFEST_INVALID",
          `targets.${environment}.${project.name}.lease is postgres, and the ${environment} signal store is not PostgreSQL.`,
          { hint: `Set environments.${environment}.signals.store to postgres:URL, or lease: file for one host.` },
        );
      }
      lease = postgresLeaseDriver(options.postgresLease, project.name, account);
    } else lease = localLeaseDriver(layout.leaseDir, project.name, account);
  }
  const session: TargetSession = {
    project,
    target,
    host: options.host,
    executor,
    files,
    layout,
    records: targetRecords(recordFiles, layout),
    lock: openDeployLock({ files: recordFiles, layout, hostname: options.hostname, scrub }),
    proxy: proxyControl({
      files,
      layout,
      publicPort: target.port,
      bindHost: bindAddress(options.host),
      node: options.node ?? (executor.local ? process.execPath : "node"),
    }),
    runner,
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
