/**
 * The deploy's side of the executor lease (src/accounts/lease.ts): who may send orders for a project on a target.
 * A handoff fences the lease first (its holder becomes nobody, so the old release's token is refused at its next
 * order), stops the old release, then gives the lease to the new one; the time in between is the order gap.
 */
import { openLease } from "../accounts/lease.js";
import { HANDOFF_HOLDER } from "./constants.js";

export interface LeaseDriver {
  /** the release that may send orders now, if any */
  holder(): Promise<string | undefined>;
  /** nobody may send from now on; returns the new fencing token */
  fence(): Promise<number>;
  /** `release` may send from now on; returns its fencing token */
  transfer(release: string): Promise<number>;
}

export { leaseAccount } from "../accounts/lease-store.js";

/** The lease in a directory of this machine (a `local` target's `shared/lease`). */
export function localLeaseDriver(dir: string, project: string, account: string, now?: () => number): LeaseDriver {
  const lease = openLease({ dir, project, account, now });
  return {
    holder: async () => {
      const s = lease.read();
      return s.holder && s.holder !== HANDOFF_HOLDER ? s.holder : undefined;
    },
    fence: async () => lease.transfer(HANDOFF_HOLDER),
    transfer: async (release) => lease.transfer(release),
  };
}
