/**
 * The executor lease as a PostgreSQL row per project and account, for order senders on many hosts: every change is
 * one transaction that locks the row (`SELECT … FOR UPDATE`), expiry is judged by the database's clock (so the
 * hosts' clocks never decide who may send), and the token only grows (`token = token + 1` in every change).
 */
import type { Pool, PoolClient } from "pg";
import { TroError } from "../errors.js";
import { LEASE_TTL_MS, type LeaseState } from "./lease.js";
import type { LeaseStore } from "./lease-store.js";

/** A lease query that takes longer than this fails (the store is stalled): the permit then counts down to expiry. */
export const PG_LEASE_QUERY_TIMEOUT_MS = 2_000;
const TABLE = "tradeops_executor_lease";

const SCHEMA = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  project text NOT NULL, account text NOT NULL, holder text, token bigint NOT NULL DEFAULT 0,
  renewed_at timestamptz, expires_at timestamptz, PRIMARY KEY (project, account))`;

export interface PostgresLeaseStoreOptions {
  readonly url: string;
  /** the URL without its password */
  readonly display: string;
  readonly project: string;
  readonly account: string;
  readonly ttlMs?: number;
}

interface Row {
  holder: string | null;
  token: string;
  renewed_ms: string | null;
  live: boolean;
}

/** Opens (and creates if needed) the lease table. @throws TroError TRO_ERR_LEASE_UNAVAILABLE when unreachable */
export async function postgresLeaseStore(options: PostgresLeaseStoreOptions): Promise<LeaseStore> {
  const { default: pg } = await import("pg");
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const pool: Pool = new pg.Pool({
    connectionString: options.url,
    max: 2,
    connectionTimeoutMillis: PG_LEASE_QUERY_TIMEOUT_MS,
    query_timeout: PG_LEASE_QUERY_TIMEOUT_MS,
    application_name: "tradeops-lease",
    // a holder frozen inside a transaction (SIGSTOP, a partition) must not keep the row locked: the server ends
    // its transaction, and a change waiting for a lock gives up instead of hanging
    options: `-c idle_in_transaction_session_timeout=${idleInTransactionMs(ttlMs)} -c lock_timeout=${PG_LEASE_QUERY_TIMEOUT_MS}`,
  });
  pool.on("error", () => undefined);
  const key = [options.project, options.account];
  const unreachable = (error: unknown) =>
    new TroError("TRO_ERR_LEASE_UNAVAILABLE", `The executor lease at ${options.display} cannot be reached.`, {
      hint: "Check that PostgreSQL runs and the URL is right; a holder stops sending when its lease lapses.",
      cause: error,
    });

  /** One transaction holding the row's lock; `fn` sees the row as it is and may change it. */
  const locked = async <T>(fn: (row: Row, client: PoolClient) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw unreachable(error);
    }
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO ${TABLE} (project, account) VALUES ($1, $2) ON CONFLICT DO NOTHING`, key);
      const row = (
        await client.query(
          `SELECT holder, token::text, (extract(epoch from renewed_at) * 1000)::bigint::text AS renewed_ms,
             coalesce(expires_at > now(), false) AS live FROM ${TABLE} WHERE project = $1 AND account = $2 FOR UPDATE`,
          key,
        )
      ).rows[0] as Row;
      const result = await fn(row, client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error instanceof TroError ? error : unreachable(error);
    } finally {
      client.release();
    }
  };
  const take = async (client: PoolClient, holder: string | null): Promise<number> => {
    const interval = holder === null ? null : `${ttlMs} milliseconds`;
    const res = await client.query(
      `UPDATE ${TABLE} SET holder = $3, token = token + 1, renewed_at = now(), expires_at = now() + $4::interval
       WHERE project = $1 AND account = $2 RETURNING token::text`,
      [...key, holder, interval],
    );
    return Number(res.rows[0].token);
  };

  try {
    await pool.query(SCHEMA);
  } catch (error) {
    // two processes creating the table at once: the loser sees a duplicate type or table, and the table is there
    const code = (error as { code?: string }).code;
    if (code !== "23505" && code !== "42P07") {
      await pool.end().catch(() => undefined);
      throw unreachable(error);
    }
  }
  return {
    backend: "postgres",
    location: options.display,
    // a read takes no lock: a reader frozen mid-read never holds up a change
    read: async (): Promise<LeaseState> => {
      let row: Row | undefined;
      try {
        row = (
          await pool.query(
            `SELECT holder, token::text, (extract(epoch from renewed_at) * 1000)::bigint::text AS renewed_ms,
               coalesce(expires_at > now(), false) AS live FROM ${TABLE} WHERE project = $1 AND account = $2`,
            key,
          )
        ).rows[0] as Row | undefined;
      } catch (error) {
        throw unreachable(error);
      }
      if (!row) return { token: 0, ttlMs };
      const holder = row.live && row.holder ? row.holder : undefined;
      const renewedAt = row.renewed_ms === null ? undefined : Number(row.renewed_ms);
      return { token: Number(row.token), ttlMs, ...(holder ? { holder } : {}), ...(renewedAt ? { renewedAt } : {}) };
    },
    acquire: (holder) =>
      locked(async (row, client) => {
        if (row.live && row.holder && row.holder !== holder) {
          throw new TroError(
            "TRO_ERR_LOCK_HELD",
            `Release ${row.holder} holds the right to send orders for ${options.project}.`,
            { hint: "A deploy hands the lease over; to take it from a stopped release wait for it to lapse." },
          );
        }
        if (row.live && row.holder === holder) return Number(row.token);
        return take(client, holder);
      }),
    claim: (holder) => locked(async (row, client) => (row.holder === holder ? take(client, holder) : undefined)),
    renew: (holder, token) =>
      locked(async (row, client) => {
        if (!row.live || row.holder !== holder || Number(row.token) !== token) return false;
        await client.query(
          `UPDATE ${TABLE} SET renewed_at = now(), expires_at = now() + $3::interval WHERE project = $1 AND account = $2`,
          [...key, `${ttlMs} milliseconds`],
        );
        return true;
      }),
    release: (holder, token) =>
      locked(async (row, client) => {
        if (row.holder === holder && Number(row.token) === token) await take(client, null);
      }),
    transfer: (to) => locked(async (_row, client) => take(client, to)),
    isCurrent: async (holder, token) => {
      try {
        const res = await pool.query(
          `SELECT 1 FROM ${TABLE} WHERE project = $1 AND account = $2 AND holder = $3 AND token = $4 AND expires_at > now()`,
          [...key, holder, token],
        );
        return res.rowCount === 1;
      } catch (error) {
        throw unreachable(error);
      }
    },
    close: () => pool.end(),
  };
}

/** How long the server lets a lease transaction sit idle: a quarter of the TTL, between 100 ms and 1 s. */
function idleInTransactionMs(ttlMs: number): number {
  return Math.max(100, Math.min(1_000, Math.floor(ttlMs / 4)));
}
