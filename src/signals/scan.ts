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

function seqOf(encoding: string): number {
  return Number(encoding.slice(SEQ_AT, encoding.indexOf("\n", SEQ_AT)));
}

/** Checks one page of `hash + encoding` rows (ordered by seq) and folds it into the state. */
export function scanPage(rows: readonly string[], state: ScanState): void {
  let { prev, lastSeq, count, problems, firstFailSeq } = state;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const stored = row.slice(0, 64);
    const encoding = row.slice(64);
    let seq: number;
    let ok = true;
    if (lastSeq === undefined) seq = seqOf(encoding);
    else if (encoding.startsWith(`${lastSeq + 1}\n`, SEQ_AT)) seq = lastSeq + 1;
    else {
      seq = seqOf(encoding);
      ok = false;
    }
    if (prev !== undefined && !encoding.startsWith(prev, PREV_HASH_AT)) ok = false;
    if (hash("sha256", encoding, "hex") !== stored) ok = false;
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
