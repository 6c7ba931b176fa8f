/** Reading a PostgreSQL signal store: record pages for tail and export, and the snapshot reader verify uses. */
import type { Pool, PoolClient } from "pg";
import { rangeFilter, recordFromRow } from "../backend.js";
import { joinScans, type ScanState } from "../scan.js";
import type { ChainKey, ReadQuery, SignalRecord } from "../types.js";
import type { ChainReader } from "../verify.js";
import { copyScan } from "./copy.js";
import { COLUMNS, encodedCopy, SQL } from "./queries.js";

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

/**
 * A verify reader over a client inside a REPEATABLE READ transaction (one snapshot). `second` gives another
 * connection on the same snapshot (or nothing when none is free): a chain is then scanned in two halves at once,
 * the lower through `client`, the upper through the second, each on its own server process, and the halves joined.
 */
export function pgReader(client: PoolClient, second: () => Promise<PoolClient | undefined>): ChainReader {
  const rows = async (text: string, values: unknown[]) =>
    (await client.query({ text, values, rowMode: "array" })).rows as unknown[][];
  const one = async (text: string, key: ChainKey) => {
    const row = (await rows(text, [key.environment, key.project]))[0];
    return row ? recordFromRow(row) : undefined;
  };
  const copy = (on: PoolClient, key: ChainKey, range?: { after: number; through: number }) =>
    copyScan(on, encodedCopy(on.escapeLiteral(key.environment), on.escapeLiteral(key.project), range));
  return {
    async bounds(key) {
      return { first: await one(SQL.first, key), last: await one(SQL.last, key) };
    },
    async anchor(key) {
      const row = (await rows(SQL.anchor, [key.environment, key.project]))[0];
      return row ? { seq: Number(row[0]), hash: row[1] as string } : undefined;
    },
    async scan(key, firstRecord, lastRecord) {
      const [first, last] = [firstRecord.seq, lastRecord.seq];
      // halves only between sequence numbers JavaScript holds exactly (a forged one may not be)
      const splits = last > first && Number.isSafeInteger(first - 1) && Number.isSafeInteger(last);
      const other = splits ? await second() : undefined;
      let state: ScanState;
      if (!other) state = await copy(client, key);
      else {
        const middle = first + Math.floor((last - first) / 2);
        const halves = await Promise.allSettled([
          copy(client, key, { after: first - 1, through: middle }),
          copy(other, key, { after: middle, through: last }),
        ]);
        const failed = halves.find((h) => h.status === "rejected");
        if (failed) throw failed.reason;
        const [lower, upper] = halves as PromiseFulfilledResult<ScanState>[];
        state = joinScans(lower!.value, upper!.value);
      }
      // every row is hashed here, on this one thread; two server processes read the halves
      return { count: state.count, problems: state.problems, firstFailSeq: state.firstFailSeq, threads: 1 };
    },
    async range(key, fromSeq, toSeq) {
      return (await rows(SQL.range, [key.environment, key.project, fromSeq, toSeq])).map(recordFromRow);
    },
    async checkpoints(key) {
      return (await rows(SQL.checkpoints, [key.environment, key.project])).map(recordFromRow);
    },
  };
}
