/**
 * The executor lease: per project and account, the single right to send orders, carried with a fencing token
 * that grows by one at every change of holder. A release checks its token before every order; once another
 * release has taken the lease, the old token is refused even if the old process is still running — two releases
 * can never trade at once. The lease is a small JSON file updated under an exclusive lock directory.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TroError } from "../errors.js";

/** A lock directory older than this is left over from a crash and may be broken. */
export const LEASE_LOCK_STALE_MS = 5_000;
/** How long a holder may go without renewing before the lease lapses. */
export const LEASE_TTL_MS = 30_000;
const LOCK_RETRY_MS = 2;

export interface LeaseState {
  readonly token: number;
  /** the release that may send orders; undefined while nobody may */
  readonly holder?: string;
  readonly acquiredAt?: number;
  readonly renewedAt?: number;
  readonly ttlMs: number;
}

export interface Lease {
  readonly path: string;
  read(): LeaseState;
  /** takes the lease when it is free or lapsed (or already ours); returns the new fencing token */
  acquire(holder: string): number;
  /** keeps the lease alive; false when the token is no longer current */
  renew(holder: string, token: number): boolean;
  /** gives the lease up; nothing happens when the token is no longer current */
  release(holder: string, token: number): void;
  /**
   * A process of the named holder takes the lease it was handed (a deploy transferred it to its release): the
   * token grows by one, so another process of the same release with the old token is fenced. Undefined when the
   * lease names someone else.
   */
  claim(holder: string): number | undefined;
  /** the current holder loses the lease to another, in one step (deploys, after the old one stopped sending) */
  transfer(to: string): number;
  /** whether a holder's token still allows it to send an order right now */
  isCurrent(holder: string, token: number): boolean;
}

export interface LeaseOptions {
  readonly dir: string;
  readonly project: string;
  /** the account the lease is for (e.g. `alpaca:paper:PA123`) */
  readonly account: string;
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** The lease file's name in its directory: one per project and account. */
export function leaseFileName(project: string, account: string): string {
  return `${`${project}.${account}`.replace(/[^A-Za-z0-9._-]/g, "_")}.lease.json`;
}

export function openLease(options: LeaseOptions): Lease {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  mkdirSync(options.dir, { recursive: true });
  const path = join(options.dir, leaseFileName(options.project, options.account));
  const lockDir = `${path}.lock`;

  const read = (): LeaseState =>
    existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as LeaseState) : { token: 0, ttlMs };
  const write = (state: LeaseState) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, path);
  };
  const lapsed = (s: LeaseState) => s.holder === undefined || now() - (s.renewedAt ?? 0) > s.ttlMs;
  const locked = <T>(fn: () => T): T => {
    const started = Date.now();
    for (;;) {
      try {
        mkdirSync(lockDir);
        break;
      } catch {
        try {
          if (Date.now() - statSync(lockDir).mtimeMs > LEASE_LOCK_STALE_MS)
            rmSync(lockDir, { recursive: true, force: true });
        } catch {
          // the lock went away between the two calls: try again
        }
        if (Date.now() - started > LEASE_LOCK_STALE_MS * 2) {
          throw new TroError("TRO_ERR_LOCK_HELD", `The executor lease at ${path} stayed locked.`, {
            hint: `Remove ${lockDir} if no tradeops process is running.`,
          });
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_RETRY_MS);
      }
    }
    try {
      return fn();
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  };

  return {
    path,
    read,
    acquire: (holder) =>
      locked(() => {
        const s = read();
        if (s.holder === holder && !lapsed(s)) return s.token;
        if (!lapsed(s)) {
          throw new TroError(
            "TRO_ERR_LOCK_HELD",
            `Release ${s.holder} holds the right to send orders for ${options.project}.`,
            {
              hint: "A deploy hands the lease over; to take it from a stopped release wait for it to lapse.",
            },
          );
        }
        const token = s.token + 1;
        write({ token, holder, acquiredAt: now(), renewedAt: now(), ttlMs });
        return token;
      }),
    renew: (holder, token) =>
      locked(() => {
        const s = read();
        if (s.holder !== holder || s.token !== token || lapsed(s)) return false;
        write({ ...s, renewedAt: now() });
        return true;
      }),
    release: (holder, token) =>
      locked(() => {
        const s = read();
        if (s.holder === holder && s.token === token) write({ token: s.token + 1, ttlMs });
      }),
    claim: (holder) =>
      locked(() => {
        const s = read();
        if (s.holder !== holder) return undefined;
        const token = s.token + 1;
        write({ token, holder, acquiredAt: now(), renewedAt: now(), ttlMs });
        return token;
      }),
    transfer: (to) =>
      locked(() => {
        const token = read().token + 1;
        write({ token, holder: to, acquiredAt: now(), renewedAt: now(), ttlMs });
        return token;
      }),
    isCurrent: (holder, token) => {
      const s = read();
      return s.holder === holder && s.token === token && !lapsed(s);
    },
  };
}
