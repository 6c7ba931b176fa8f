/**
 * Verify split into chunks of a chain that can be scanned apart (on several threads) and joined afterwards with the
 * same outcome as one scan from the first record to the last: each chunk is a range of sequence numbers scanned with
 * a fresh state, and the link between two chunks (the second's first record must follow the first's last) is
 * checked when they are joined.
 */
import { PREV_HASH_AT, SEQ_AT } from "./encoding.js";
import { newScanState, type ScanState, scanPage, seqAt } from "./scan.js";

/** What one chunk's scan found (plain data: it crosses threads). */
export interface ChunkResult {
  readonly count: number;
  readonly problems: number;
  readonly firstFailSeq?: number;
  /** the first record's sequence number and previous hash, as stored (absent for an empty chunk) */
  readonly firstSeq?: number;
  readonly firstPrev?: string;
  /** the last record's sequence number and stored hash */
  readonly lastSeq?: number;
  readonly lastHash?: string;
}

/** The sequence ranges (after, through] of `chunks` chunks covering firstSeq..lastSeq. */
export function chunkBounds(firstSeq: number, lastSeq: number, chunkRecords: number): [number, number][] {
  const out: [number, number][] = [];
  for (let after = firstSeq - 1; after < lastSeq; after += chunkRecords)
    out.push([after, Math.min(after + chunkRecords, lastSeq)]);
  return out;
}

/** Scans one chunk, page by page, as `pages` yields its `hash + encoding` rows in seq order. */
export function scanChunk(pages: Iterable<readonly string[]>): ChunkResult {
  const state: ScanState = newScanState();
  let firstSeq: number | undefined;
  let firstPrev: string | undefined;
  for (const rows of pages) {
    if (firstPrev === undefined && rows.length) {
      firstPrev = rows[0]!.slice(64 + PREV_HASH_AT, 128 + PREV_HASH_AT);
      firstSeq = seqAt(rows[0]!, 64 + SEQ_AT);
    }
    scanPage(rows, state);
  }
  return {
    count: state.count,
    problems: state.problems,
    firstFailSeq: state.firstFailSeq,
    firstSeq,
    firstPrev,
    lastSeq: state.lastSeq,
    lastHash: state.prev,
  };
}

/**
 * Joins chunk results in seq order into the state one scan would have reached: a chunk whose first record does not
 * follow the previous non-empty chunk's last (hash link or sequence number) counts one problem there, unless that
 * record already failed its own hash.
 */
export function joinChunks(results: readonly ChunkResult[]): Pick<ScanState, "count" | "problems" | "firstFailSeq"> {
  let count = 0;
  let problems = 0;
  let firstFailSeq: number | undefined;
  let before: ChunkResult | undefined;
  for (const chunk of results) {
    if (!chunk.count) continue;
    count += chunk.count;
    problems += chunk.problems;
    const linked = !before || (chunk.firstPrev === before.lastHash && chunk.firstSeq === before.lastSeq! + 1);
    if (!linked && chunk.firstFailSeq !== chunk.firstSeq) {
      problems++;
      firstFailSeq ??= chunk.firstSeq;
    }
    firstFailSeq ??= chunk.firstFailSeq;
    before = chunk;
  }
  return { count, problems, firstFailSeq };
}
