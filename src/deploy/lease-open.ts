/**
 * Which executor lease a deploy drives on one host of an order sender's target: the file in the target's
 * `shared/lease` (one host — this machine's directly, an SSH host's through its command channel) or the row in the
 * environment's PostgreSQL (`lease: postgres`, the one lease for many hosts).
 */
import { TroError } from "../errors.js";
import { type LeaseDriver, localLeaseDriver, postgresLeaseDriver } from "./lease-driver.js";
import { hostFileLeaseDriver } from "./lease-host.js";
import type { SessionOptions } from "./session.js";

/**
 * @throws TroError TRO_ERR_MANIFEST_INVALID for `lease: postgres` without a PostgreSQL signal store, or a file lease
 *   on a target of many hosts (a file on one host cannot keep the others from sending)
 */
export function openLeaseDriver(options: SessionOptions, leaseDir: string, account: string): LeaseDriver {
  const { project, target, executor } = options;
  const where = `targets.${target.environment}.${project.name}`;
  if (target.lease === "postgres") {
    if (!options.postgresLease) {
      throw new TroError(
        "TRO_ERR_MANIFEST_INVALID",
        `${where}.lease is postgres, and the ${target.environment} signal store is not PostgreSQL.`,
        { hint: `Set environments.${target.environment}.signals.store to postgres:URL, or lease: file for one host.` },
      );
    }
    return postgresLeaseDriver(options.postgresLease, project.name, account, options.host);
  }
  if (target.hosts.length > 1) {
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `${where} sends orders from ${target.hosts.length} hosts, and its executor lease is a file on each host, which cannot keep the others from sending.`,
      {
        hint: `Set ${where}.lease: postgres with environments.${target.environment}.signals.store: postgres:URL, which every host reaches.`,
      },
    );
  }
  if (executor.local) return localLeaseDriver(leaseDir, project.name, account);
  return hostFileLeaseDriver({ executor, dir: leaseDir, project: project.name, account });
}
