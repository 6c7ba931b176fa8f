/**
 * The deploy's side of the executor lease (src/accounts/lease.ts): who may send orders for a project on a target.
 * A handoff fences the lease first (its holder becomes nobody, so the old release's token is refused at its next
 * order), stops the old release, then gives the lease to the new one; the time in between is the order gap.
 */
import { openLease } from "../accounts/lease.js";
import { postgresLeaseStore } from "../accounts/lease-postgres.js";
import type { LeaseStore } from "../accounts/lease-store.js";
import type { EnvironmentName } from "../environment/names.js";
import { signalStoreLocation } from "../signals/open.js";
import type { Workspace } from "../workspace/types.js";
import { systemClock } from "./clock.js";
import { HANDOFF_HOLDER } from "./constants.js";

export interface LeaseDriver {
  /** the release that may send orders now, if any (whichever host its sending process runs on) */
  holder(): Promise<string | undefined>;
  /** whether a process of `release` holds a live lease now (then a handoff to it has nothing to change) */
  holds(release: string): Promise<boolean>;
  /** nobody may send from now on; returns the new fencing token */
  fence(): Promise<number>;
  /** `release` may send from now on; returns its fencing token */
  transfer(release: string): Promise<number>;
  /** ends the driver's connection to the lease, when it keeps one */
  close?(): Promise<void>;
}

export { leaseAccount } from "../accounts/lease-store.js";

/** The lease in a directory of this machine (a `local` target's `shared/lease`). */
export function localLeaseDriver(dir: string, project: string, account: string, now?: () => number): LeaseDriver {
  const lease = openLease({ dir, project, account, now });
  const clock = now ?? systemClock.now;
  return {
    holder: async () => {
      const s = lease.read();
      return s.holder && s.holder !== HANDOFF_HOLDER ? s.holder : undefined;
    },
    holds: async (release) => {
      const s = lease.read();
      return s.holder === release && clock() - (s.renewedAt ?? 0) <= s.ttlMs;
    },
    fence: async () => lease.transfer(HANDOFF_HOLDER),
    transfer: async (release) => lease.transfer(release),
  };
}

/**
 * The lease as a row in the environment's PostgreSQL (order senders on many hosts): the deploying machine fences and
 * hands it over there, and every host's release claims it there. A release's holder name carries the host it runs
 * on (`<release>@<host>`, TRADEOPS_LEASE_HOST), so its processes on the other hosts stand by rather than claim;
 * this driver hands the lease to the process on `host`. Opened on first use.
 */
export function postgresLeaseDriver(
  location: { readonly url: string; readonly display: string },
  project: string,
  account: string,
  host?: string,
): LeaseDriver & { close(): Promise<void> } {
  const releaseOf = (holder: string) => holder.split("@")[0]!;
  const holderOf = (release: string) => (host ? `${release}@${host}` : release);
  let opened: Promise<LeaseStore> | undefined;
  const store = () => {
    opened ??= postgresLeaseStore({ ...location, project, account });
    return opened;
  };
  return {
    holder: async () => {
      const s = await (await store()).read();
      return s.holder && s.holder !== HANDOFF_HOLDER ? releaseOf(s.holder) : undefined;
    },
    // a lapsed lease reads as nobody's
    holds: async (release) => {
      const s = await (await store()).read();
      return s.holder !== undefined && s.holder !== HANDOFF_HOLDER && releaseOf(s.holder) === release;
    },
    fence: async () => (await store()).transfer(HANDOFF_HOLDER),
    transfer: async (release) => (await store()).transfer(holderOf(release)),
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}

/** The environment's PostgreSQL signal store, where a `lease: postgres` target keeps its lease; undefined otherwise. */
export function postgresLeaseLocation(
  workspace: Workspace,
  environment: EnvironmentName,
  env: Readonly<Record<string, string | undefined>>,
): { url: string; display: string } | undefined {
  const location = signalStoreLocation(workspace, environment, env);
  return location.backend === "postgres" ? { url: location.url, display: location.display } : undefined;
}
