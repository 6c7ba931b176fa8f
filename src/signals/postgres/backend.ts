/**
 * The production backend: PostgreSQL through `pg`. Each append is one transaction that takes a transaction-scoped
 * advisory lock per chain (in a fixed order, so two multi-chain appends cannot deadlock), reads the tip, checks it
 * against the recorded head and streams the batch with COPY in parts, hashing each while the server takes in the
 * last (insert.ts); the heads move with the COMMIT. A second process appending to the same chain waits on the lock
 * and chains onto what the first wrote; the primary key would refuse a fork anyway.
 */
import type { Pool, PoolClient } from "pg";
import { TroError } from "../../errors.js";
import { type Backend, type PruneOutcome, type PruneRequest, recordFromRow } from "../backend.js";
import type { ChainKey, ChainTip, Durability } from "../types.js";
import { PG_CONNECT_TIMEOUT_MS, pgStoreError } from "./errors.js";
import { type FirstPart, firstParts, headsSql, insertChains } from "./insert.js";
import { SQL } from "./queries.js";
import { pgReader, pgReadPages } from "./read.js";
import { LOCK_CLASS, migrate, SCHEMA_VERSION, schemaVersion } from "./schema.js";

/** connections per store: appends use one, verify and reads another */
const POOL_SIZE = 4;
export interface PostgresBackendOptions {
  readonly url: string;
  /** the URL without its password */
  readonly display: string;
  readonly readOnly: boolean;
  /** when false, a database without the schema is an error instead of being set up */
  readonly create: boolean;
  readonly durability: Durability;
}

function chainBroken(key: ChainKey, detail: string): TroError {
  return new TroError(
    "TRO_ERR_SIGNALS_CHAIN_BROKEN",
    `The signal chain ${key.environment}/${key.project} does not end where its head says (${detail}); nothing was appended.`,
    { hint: `Run \`tradeops signals verify ${key.project} --env ${key.environment}\` to find the first bad record.` },
  );
}

type TipRow = [string | null, string | null, string | null, string | null];

async function lockedTip(client: PoolClient, key: ChainKey): Promise<ChainTip | undefined> {
  const row = (await client.query({ text: SQL.tipAndAnchor, values: [key.environment, key.project], rowMode: "array" }))
    .rows[0] as TipRow;
  return checkedTip(key, row);
}

/** The tip after checking it against the recorded head (both read after the chain's lock). */
function checkedTip(key: ChainKey, row: TipRow): ChainTip | undefined {
  const [tipSeq, tipHash, headSeq, headHash] = row;
  if (headSeq === null && tipSeq !== null) throw chainBroken(key, `records up to ${tipSeq} but no head`);
  if (headSeq !== null && (headSeq !== tipSeq || headHash !== tipHash))
    throw chainBroken(key, `head ${headSeq}, last record ${tipSeq ?? "none"}`);
  return tipSeq === null ? undefined : { seq: Number(tipSeq), hash: tipHash! };
}

/**
 * Connects, checks the schema and migrates it (unless read-only).
 * @throws TroError TRO_ERR_SIGNALS_STORE when PostgreSQL cannot be reached or the schema is unusable
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<Backend> {
  const { default: pg } = await import("pg");
  const fail = (what: string) => (error: unknown) => pgStoreError(options.display, what, error);
  const pool: Pool = new pg.Pool({
    connectionString: options.url,
    max: POOL_SIZE,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    application_name: "tradeops-signals",
  });
  // an idle connection died (the server restarted): the next query connects again and reports any failure
  pool.on("error", () => undefined);
  const withClient = async <T>(what: string, fn: (client: PoolClient) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(what === "open" ? "connect to" : what)(error);
    }
    try {
      return await fn(client);
    } catch (error) {
      throw fail(what)(error);
    } finally {
      client.release();
    }
  };
  const transaction = <T>(what: string, fn: (client: PoolClient) => Promise<T>) =>
    withClient(what, async (client) => {
      await client.query("BEGIN");
      try {
        if (options.durability === "relaxed") await client.query("SET LOCAL synchronous_commit = off");
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  /** the head each chain had after this process's last append to it: first parts are chained onto it in advance */
  const written = new Map<string, ChainTip>();
  const chainId = (environment: string, project: string) => `${environment}\u0000${project}`;
  const lock = (client: PoolClient, key: ChainKey) =>
    client.query(SQL.lockChain, [LOCK_CLASS, `${key.environment}/${key.project}`]);

  try {
    await withClient("open", async (client) => {
      const version = await schemaVersion(client);
      if (version > SCHEMA_VERSION) throw new Error(`it was written by a newer tradeops (schema ${version})`);
      if ((options.readOnly || !options.create) && version === 0)
        throw new Error("the database holds no tradeops signal log");
      if (!options.readOnly) await migrate(client);
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  return {
    kind: "postgres",
    location: `postgres:${options.display}`,
    append: (environment, byProject) =>
      withClient("append to", async (client) => {
        // BEGIN, the locks in a fixed order and every tip and head read after them in one round trip; then every
        // chain's records in one COPY, each part hashed while the server takes in the one before; the heads and
        // COMMIT in one round trip
        const projects = [...byProject.keys()];
        const literal = (values: readonly string[]) => (sql: string) =>
          sql.replace(/\$(\d)/g, (_, n: string) => values[Number(n) - 1]!);
        const key = (project: string) => client.escapeLiteral(`${environment}/${project}`);
        const env = client.escapeLiteral(environment);
        const opening = [
          "BEGIN",
          ...(options.durability === "relaxed" ? ["SET LOCAL synchronous_commit = off"] : []),
          ...[...projects].sort().map((p) => `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${key(p)}))`),
          ...projects.map((p) => literal([env, client.escapeLiteral(p)])(SQL.tipAndAnchor)),
        ];
        try {
          const opened = client.query({ text: opening.join(";\n"), rowMode: "array" });
          // sent: while the server takes the locks, each chain's first part is written, and chained onto the tip
          // this process wrote last (kept only if the tip read under the lock is still that one)
          let first: Map<string, FirstPart>;
          try {
            const known = new Map<string, ChainTip>();
            for (const p of projects) {
              const tip = written.get(chainId(environment, p));
              if (tip) known.set(p, tip);
            }
            first = firstParts(environment, byProject, known);
          } catch (error) {
            await opened.catch(() => undefined);
            throw error;
          }
          const results = await opened;
          const rows = (results as unknown as { rows: unknown[][] }[]).slice(-projects.length);
          const tips = new Map(
            projects.map((project, i) => [project, checkedTip({ environment, project }, rows[i]!.rows[0] as TipRow)]),
          );
          const { records, heads } = await insertChains(client, environment, tips, byProject, first);
          await client.query(`${headsSql(client, environment, heads)};\nCOMMIT`);
          for (const [project, head] of heads) written.set(chainId(environment, project), head);
          return records;
        } catch (error) {
          for (const p of projects) written.delete(chainId(environment, p));
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      }),
    tip: (key) =>
      withClient("read", async (client) => {
        const row = (await client.query({ text: SQL.tip, values: [key.environment, key.project], rowMode: "array" }))
          .rows[0];
        return row ? { seq: Number(row[0]), hash: row[1] as string } : undefined;
      }),
    chains: (environment) =>
      withClient("read", async (client) => {
        const rows = (await client.query({ text: SQL.projects, values: [environment], rowMode: "array" })).rows;
        return rows.map((r) => ({ environment, project: r[0] as string }));
      }),
    read: (key, query, pageSize) => pgReadPages(pool, key, query, pageSize, fail("read")),
    snapshot: (fn) =>
      withClient("read", async (client) => {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        // a second connection on the same snapshot, opened when a chain is first scanned and only if one is free
        let second: Promise<PoolClient | undefined> | undefined;
        // (not tried on a standby, where not every version can export a snapshot; a second connection that fails
        // to join it is let go: the chain is then read through this one)
        const openSecond = async (): Promise<PoolClient | undefined> => {
          if (pool.totalCount >= POOL_SIZE && pool.idleCount === 0) return undefined;
          const { rows } = await client.query({ text: SQL.exportSnapshot, rowMode: "array" });
          const snapshot = rows[0]?.[0] as string | null | undefined;
          if (!snapshot) return undefined;
          let other: PoolClient | undefined;
          try {
            other = await pool.connect();
            await other.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            await other.query(`SET TRANSACTION SNAPSHOT ${other.escapeLiteral(snapshot)}`);
            return other;
          } catch {
            other?.release(true);
            return undefined;
          }
        };
        try {
          return await fn(pgReader(client, () => (second ??= openSecond())));
        } finally {
          const other = await second?.catch(() => undefined);
          if (other) {
            await other.query("COMMIT").catch(() => undefined);
            other.release();
          }
          await client.query("COMMIT").catch(() => undefined);
        }
      }),
    prune: (request: PruneRequest) =>
      transaction("prune", async (client): Promise<PruneOutcome> => {
        const { key } = request;
        written.delete(chainId(key.environment, key.project));
        const params = [key.environment, key.project];
        await lock(client, key);
        const tip = await lockedTip(client, key);
        const first = (await client.query({ text: SQL.first, values: params, rowMode: "array" })).rows[0];
        if (!tip || !first) return {};
        const young = (
          await client.query({ text: SQL.firstYoung, values: [...params, request.cutoff], rowMode: "array" })
        ).rows[0];
        const through = young ? Number(young[0]) - 1 : tip.seq;
        const firstSeq = recordFromRow(first).seq;
        if (through < firstSeq) return {};
        const cut = (await client.query({ text: SQL.cutRecord, values: [...params, through], rowMode: "array" }))
          .rows[0] as unknown[];
        const plan = { firstSeq, throughSeq: through, throughHash: cut[0] as string, throughTime: cut[1] as string };
        if (request.dryRun) return { plan };
        await client.query("SET LOCAL tradeops.prune = 'on'");
        await client.query(SQL.deleteThrough, [...params, through]);
        await client.query("SET LOCAL tradeops.prune = 'off'");
        const byProject = new Map([[key.project, [request.checkpoint(plan)]]]);
        const { records, heads } = await insertChains(
          client,
          key.environment,
          new Map([[key.project, tip]]),
          byProject,
        );
        await client.query(headsSql(client, key.environment, heads));
        return { plan, checkpoint: records[0] };
      }),
    close: () => pool.end(),
  };
}
