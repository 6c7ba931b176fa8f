/**
 * The loop each verify thread runs over one SQLite connection: take the next unclaimed chunk of the chain from the
 * counter the threads share, scan it page by page, until none is left.
 */
import type BetterSqlite3 from "better-sqlite3";
import { SEQ_AT } from "../encoding.js";
import { newScanState, type ScanState, scanPage, seqAt } from "../scan.js";
import type { ChainKey } from "../types.js";
import { encodedRangeStatement } from "./queries.js";

/** rows per page when verify reads `hash + encoding` strings */
export const VERIFY_PAGE = 4096;

/**
 * The sequence ranges (after, through] of the chunks covering firstSeq..lastSeq: each is scanned with a fresh state
 * and the chunks' scans are joined in order (joinScans), with the outcome of one scan from first to last.
 */
export function chunkBounds(firstSeq: number, lastSeq: number, chunkRecords: number): [number, number][] {
  const out: [number, number][] = [];
  for (let after = firstSeq - 1; after < lastSeq; after += chunkRecords)
    out.push([after, Math.min(after + chunkRecords, lastSeq)]);
  return out;
}

/** Index 0 of the shared control array: the next chunk to claim. Index 1 + w: worker w's state. */
export const NEXT_CHUNK = 0;
export const WORKER_IDLE = 0;
export const WORKER_JOINED = 1;
/** the main thread has finished: a worker that has not joined yet must not start */
export const WORKER_CLOSED = 2;

/**
 * Scans chunks claimed from `control` until every chunk is claimed (starting with `claimed`, when the caller took
 * one already); the results by chunk index.
 */
export function scanClaimedChunks(
  db: BetterSqlite3.Database,
  key: ChainKey,
  bounds: readonly (readonly [number, number])[],
  control: Int32Array,
  claimed?: number,
): [number, ScanState][] {
  const page = encodedRangeStatement(db);
  const out: [number, ScanState][] = [];
  for (let index = claimed ?? Atomics.add(control, NEXT_CHUNK, 1); ; index = Atomics.add(control, NEXT_CHUNK, 1)) {
    if (index >= bounds.length) return out;
    const [after, through] = bounds[index]!;
    const state = newScanState();
    for (const rows of pagesOf(page, key, after, through)) scanPage(rows, state);
    out.push([index, state]);
  }
}

function* pagesOf(page: BetterSqlite3.Statement, key: ChainKey, after: number, through: number) {
  for (let cursor = after; cursor < through; ) {
    const rows = page.all(key.environment, key.project, cursor, through, VERIFY_PAGE) as string[];
    if (!rows.length) return;
    yield rows;
    if (rows.length < VERIFY_PAGE) return;
    cursor = seqAt(rows[rows.length - 1]!, 64 + SEQ_AT);
  }
}
