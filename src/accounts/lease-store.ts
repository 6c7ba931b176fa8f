/**
 * The executor lease behind one asynchronous interface, whatever keeps it: a file on one host
 * (`accounts/lease.ts`) or a PostgreSQL row shared by many hosts (`accounts/lease-postgres.ts`). The trading
 * node's order permit and the deploy's handoff both speak to this, never to a backend directly.
 */
import type { AccountBindingManifest } from "../workspace/schema.js";
import { type LeaseState, openLease } from "./lease.js";

/** How far two clocks reading the same lease may disagree; a holder stops this much before its lease lapses. */
export const LEASE_CLOCK_SKEW_MS = 2_000;

export interface LeaseStore {
  readonly backend: "file" | "postgres";
  /** where the lease is, safe to print (no password) */
  readonly location: string;
  /** the lease now; a lapsed lease has no holder */
  read(): Promise<LeaseState>;
  /** takes the lease when it is free or lapsed; @throws TroError TRO_ERR_LOCK_HELD while another holds it */
  acquire(holder: string): Promise<number>;
  /** a process of `holder` takes the lease handed to its release; undefined when it names someone else */
  claim(holder: string): Promise<number | undefined>;
  /** false when the token is no longer current */
  renew(holder: string, token: number): Promise<boolean>;
  release(holder: string, token: number): Promise<void>;
  /** gives the lease to `to` in one step (the deploy's fence and handoff); returns the new token */
  transfer(to: string): Promise<number>;
  /** whether `token` still allows `holder` to send an order right now */
  isCurrent(holder: string, token: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface FileLeaseStoreOptions {
  readonly dir: string;
  readonly project: string;
  readonly account: string;
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** The lease as a file in a directory of this host (one host: a local or single-SSH-host target). */
export function fileLeaseStore(options: FileLeaseStoreOptions): LeaseStore {
  const lease = openLease(options);
  const now = options.now ?? Date.now;
  return {
    backend: "file",
    location: lease.path,
    // a lapsed lease names nobody, as the PostgreSQL lease does
    read: async () => {
      const s = lease.read();
      if (s.holder === undefined || now() - (s.renewedAt ?? 0) <= s.ttlMs) return s;
      return { token: s.token, ttlMs: s.ttlMs };
    },
    acquire: async (holder) => lease.acquire(holder),
    claim: async (holder) => lease.claim(holder),
    renew: async (holder, token) => lease.renew(holder, token),
    release: async (holder, token) => lease.release(holder, token),
    transfer: async (to) => lease.transfer(to),
    isCurrent: async (holder, token) => lease.isCurrent(holder, token),
    close: async () => {},
  };
}

/**
 * `alpaca:paper:PA123`: the account a lease is for (`default` when the project binds none). No whitespace (an
 * account name's spaces become `_`): it travels as a variable through the deploy's start command.
 */
export function leaseAccount(binding: AccountBindingManifest | undefined): string {
  if (!binding) return "default";
  return `${binding.broker}:${binding.mode}:${binding.accountId ?? binding.accountName ?? "account"}`.replace(
    /\s+/g,
    "_",
  );
}
