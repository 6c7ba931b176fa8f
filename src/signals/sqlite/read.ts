/** Reading a SQLite signal store: record pages for tail and export, and the snapshot reader verify uses. */
import type BetterSqlite3 from "better-sqlite3";
import { RECORD_COLUMNS, rangeFilter, recordFromRow } from "../backend.js";
import { SEQ_AT } from "../encoding.js";
import { newScanState, scanPage } from "../scan.js";
import type { ChainKey, ChainTip, ReadQuery, SignalRecord } from "../types.js";
import type { ChainReader, ChainScan } from "../verify.js";
import { VERIFY_PAGE } from "./chunk-scan.js";
import { type ParallelVerifyOptions, parallelScan } from "./parallel-verify.js";
import { readStatements } from "./queries.js";

/** Pages of records matching a query (keyset pagination: each page starts after the last one). */
export async function* readPages(
  db: BetterSqlite3.Database,
  key: ChainKey,
  query: ReadQuery,
  pageSize: number,
  wrap: (error: unknown) => Error,
): AsyncGenerator<SignalRecord[]> {
  const filter = rangeFilter(query);
  const order = query.descending ? "DESC" : "ASC";
  const sql = `SELECT ${RECORD_COLUMNS.join(", ")} FROM signal_records WHERE environment = ? AND project = ? AND seq ${query.descending ? "<" : ">"} ?${filter.sql} ORDER BY seq ${order} LIMIT ?`;
  let statement: BetterSqlite3.Statement;
  try {
    statement = db.prepare(sql).raw();
  } catch (error) {
    throw wrap(error);
  }
  let cursor = query.descending ? Number.MAX_SAFE_INTEGER : 0;
  let remaining = query.limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    let rows: unknown[][];
    try {
      const limit = Math.min(pageSize, remaining);
      rows = statement.all(key.environment, key.project, cursor, ...filter.params, limit) as unknown[][];
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
 * A verify reader over a connection that holds one read transaction; with `parallel`, long chains are hashed on
 * several threads (parallel-verify.ts).
 */
export function sqliteReader(
  db: BetterSqlite3.Database,
  wrap: (error: unknown) => Error,
  parallel?: ParallelVerifyOptions,
): ChainReader {
  const q = readStatements(db);
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw wrap(error);
    }
  };
  const record = (row: unknown) => (row ? recordFromRow(row as unknown[]) : undefined);
  return {
    async bounds(key) {
      return guard(() => ({
        first: record(q.first.get(key.environment, key.project)),
        last: record(q.last.get(key.environment, key.project)),
      }));
    },
    async anchor(key): Promise<ChainTip | undefined> {
      const row = guard(() => q.anchor.get(key.environment, key.project) as [number, string] | undefined);
      return row ? { seq: row[0], hash: row[1] } : undefined;
    },
    async scan(key, first, last) {
      if (parallel) {
        let found: ChainScan | undefined;
        try {
          found = await parallelScan(db, key, first, last, parallel);
        } catch (error) {
          throw wrap(error);
        }
        if (found) return found;
      }
      const state = newScanState();
      for (let after = 0; ; ) {
        const rows = guard(() => q.encoded.all(key.environment, key.project, after, VERIFY_PAGE) as string[]);
        if (!rows.length)
          return { count: state.count, problems: state.problems, firstFailSeq: state.firstFailSeq, threads: 1 };
        scanPage(rows, state);
        const last = rows[rows.length - 1]!;
        after = Number(last.slice(64 + SEQ_AT, last.indexOf("\n", 64 + SEQ_AT)));
      }
    },
    async range(key, fromSeq, toSeq) {
      return guard(() => (q.range.all(key.environment, key.project, fromSeq, toSeq) as unknown[][]).map(recordFromRow));
    },
    async checkpoints(key) {
      return guard(() => (q.checkpoints.all(key.environment, key.project) as unknown[][]).map(recordFromRow));
    },
  };
}
