/**
 * The hot loop of verify. Each row is one string, `hash + encoding`, built by the database in one column (the
 * cheapest way to move a record into JavaScript). Per row: one SHA-256, one prefix compare for the link, one for
 * the sequence number. What went wrong is worked out later, only for the first bad record (diagnose.ts).
 */
import { hash } from "node:crypto";
import { PREV_HASH_AT, SEQ_AT } from "./encoding.js";

export interface ScanState {
  /** stored hash of the previous row; undefined before the first row of a chain (its link is checked apart) */
  prev: string | undefined;
  /** sequence number of the previous row */
  lastSeq: number | undefined;
  count: number;
  problems: number;
  /** sequence number (as stored) of the first row that failed */
  firstFailSeq: number | undefined;
}

/** A fresh state for scanning a chain from its first row. */
export function newScanState(): ScanState {
  return { prev: undefined, lastSeq: undefined, count: 0, problems: 0, firstFailSeq: undefined };
}

/** The sequence number written at `at` (digits up to a newline); NaN when there are none. */
export function seqAt(row: string, at: number): number {
  let value = 0;
  let i = at;
  for (; i < row.length; i++) {
    const digit = row.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return i > at && row.charCodeAt(i) === 10 ? value : Number.NaN;
}

/** Checks one page of `hash + encoding` rows (ordered by seq) and folds it into the state. */
export function scanPage(rows: readonly string[], state: ScanState): void {
  let { prev, lastSeq, count, problems, firstFailSeq } = state;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    // hashes compared as 64-character slices: V8 compares two flat strings far faster than startsWith matches
    const stored = row.slice(0, 64);
    const seq = seqAt(row, 64 + SEQ_AT);
    let ok = hash("sha256", row.slice(64), "hex") === stored && (lastSeq === undefined || seq === lastSeq + 1);
    if (prev !== undefined && row.slice(64 + PREV_HASH_AT, 128 + PREV_HASH_AT) !== prev) ok = false;
    if (!ok) {
      problems++;
      if (firstFailSeq === undefined) firstFailSeq = seq;
    }
    prev = stored;
    lastSeq = seq;
    count++;
  }
  state.prev = prev;
  state.lastSeq = lastSeq;
  state.count = count;
  state.problems = problems;
  state.firstFailSeq = firstFailSeq;
}
