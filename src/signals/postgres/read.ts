/** Reading a PostgreSQL signal store: record pages for tail and export, and the snapshot reader verify uses. */
import type { Pool, PoolClient } from "pg";
import { rangeFilter, recordFromRow } from "../backend.js";
import { SEQ_AT } from "../encoding.js";
import type { ChainKey, ReadQuery, SignalRecord } from "../types.js";
import type { ChainReader } from "../verify.js";
import { COLUMNS, SQL } from "./queries.js";

/** rows per page when verify reads `hash + encoding` strings */
const VERIFY_PAGE = 10_000;

/** Pages of records matching a query (keyset pagination). */
export async function* pgReadPages(
  pool: Pool,
  key: ChainKey,
  query: ReadQuery,
  pageSize: number,
  wrap: (error: unknown) => Error,
): AsyncGenerator<SignalRecord[]> {
  const filter = rangeFilter(query, (n) => `$${n}`, 3);
  const limit = `$${4 + filter.params.length}`;
  const order = query.descending ? "DESC" : "ASC";
  const text = `SELECT ${COLUMNS} FROM tradeops.signal_records WHERE environment = $1 AND project = $2 AND seq ${query.descending ? "<" : ">"} $3${filter.sql} ORDER BY seq ${order} LIMIT ${limit}`;
  let cursor = query.descending ? Number.MAX_SAFE_INTEGER : 0;
  let remaining = query.limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    let rows: unknown[][];
    try {
      const values = [key.environment, key.project, cursor, ...filter.params, Math.min(pageSize, remaining)];
      rows = (await pool.query({ text, values, rowMode: "array" })).rows;
    } catch (error) {
      throw wrap(error);
    }
    if (!rows.length) return;
    const records = rows.map(recordFromRow);
    yield records;
    remaining -= records.length;
    cursor = records[records.length - 1]!.seq;
  }
}

/** A verify reader over a client inside a REPEATABLE READ transaction (one snapshot). */
export function pgReader(client: PoolClient): ChainReader {
  const rows = async (text: string, values: unknown[]) =>
    (await client.query({ text, values, rowMode: "array" })).rows as unknown[][];
  const one = async (text: string, key: ChainKey) => {
    const row = (await rows(text, [key.environment, key.project]))[0];
    return row ? recordFromRow(row) : undefined;
  };
  return {
    async bounds(key) {
      return { first: await one(SQL.first, key), last: await one(SQL.last, key) };
    },
    async anchor(key) {
      const row = (await rows(SQL.anchor, [key.environment, key.project]))[0];
      return row ? { seq: Number(row[0]), hash: row[1] as string } : undefined;
    },
    async *encoded(key) {
      // the next page is asked for before this one is hashed, so the server reads while the caller hashes
      const page = (after: number) =>
        client
          .query({ text: SQL.encoded, values: [key.environment, key.project, after, VERIFY_PAGE], rowMode: "array" })
          .then((result) => (result.rows as [string][]).map((r) => r[0]));
      let next = page(0);
      try {
        for (;;) {
          const current = await next;
          if (!current.length) return;
          const last = current[current.length - 1]!;
          if (current.length === VERIFY_PAGE)
            next = page(Number(last.slice(64 + SEQ_AT, last.indexOf("\n", 64 + SEQ_AT))));
          else next = Promise.resolve([]);
          yield current;
        }
      } finally {
        next.catch(() => undefined); // a caller that stopped early leaves one page unread
      }
    },
    async range(key, fromSeq, toSeq) {
      return (await rows(SQL.range, [key.environment, key.project, fromSeq, toSeq])).map(recordFromRow);
    },
    async checkpoints(key) {
      return (await rows(SQL.checkpoints, [key.environment, key.project])).map(recordFromRow);
    },
  };
}
