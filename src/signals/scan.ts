/**
 * The hot loop of verify. Each row is `hash + encoding`, built by the database in one column (the cheapest way to
 * move a record into JavaScript): a string, or bytes where the driver can hand them over undecoded. Per row: one
 * SHA-256, one prefix compare for the link, one for the sequence number. A long chain may be scanned in parts
 * (each from its own connection to one snapshot) and the parts joined. What went wrong is worked out later, only
 * for the first bad record (diagnose.ts).
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
  /** the first row scanned: its sequence number, the hash it links to, whether it failed its own check */
  head: { readonly seq: number; readonly prevHash: string; readonly failed: boolean } | undefined;
}

/** A fresh state for scanning a chain from its first row. */
export function newScanState(): ScanState {
  return { prev: undefined, lastSeq: undefined, count: 0, problems: 0, firstFailSeq: undefined, head: undefined };
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
    if (!count) state.head = { seq, prevHash: row.slice(64 + PREV_HASH_AT, 128 + PREV_HASH_AT), failed: !ok };
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

/** The sequence number written in `bytes` at `at` (digits up to a newline); NaN when there are none. */
function seqIn(bytes: Buffer, at: number, end: number): number {
  let value = 0;
  let i = at;
  for (; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return i > at && i < end && bytes[i] === 10 ? value : Number.NaN;
}

/**
 * Checks one `hash + encoding` row held as UTF-8 bytes (`bytes[start..end)`) exactly as scanPage checks a string:
 * the SHA-256 of the encoding bytes against the stored hash, the link, the sequence number.
 */
export function scanBytes(bytes: Buffer, start: number, end: number, state: ScanState): void {
  const stored = bytes.toString("latin1", start, start + 64);
  const seq = seqIn(bytes, start + 64 + SEQ_AT, end);
  const link = bytes.toString("latin1", start + 64 + PREV_HASH_AT, start + 128 + PREV_HASH_AT);
  // a plain view: cheaper to make than a Buffer's subarray
  const encoding = new Uint8Array(bytes.buffer, bytes.byteOffset + start + 64, Math.max(0, end - start - 64));
  let ok = hash("sha256", encoding, "hex") === stored && (state.lastSeq === undefined || seq === state.lastSeq + 1);
  if (state.prev !== undefined && link !== state.prev) ok = false;
  if (!ok) {
    state.problems++;
    state.firstFailSeq ??= seq;
  }
  if (!state.count) state.head = { seq, prevHash: link, failed: !ok };
  state.prev = stored;
  state.lastSeq = seq;
  state.count++;
}

/**
 * Joins the scans of two consecutive parts of a chain (`upper` starts after `lower` ends): the upper part's first
 * row must link to the lower part's last and follow its sequence number, as if one scan had read both.
 */
export function joinScans(lower: ScanState, upper: ScanState): ScanState {
  if (!upper.count) return lower;
  if (!lower.count) return upper;
  const head = upper.head!;
  const linked = head.prevHash === lower.prev && head.seq === lower.lastSeq! + 1;
  return {
    prev: upper.prev,
    lastSeq: upper.lastSeq,
    count: lower.count + upper.count,
    problems: lower.problems + upper.problems + (linked || head.failed ? 0 : 1),
    firstFailSeq: lower.firstFailSeq ?? (linked ? undefined : head.seq) ?? upper.firstFailSeq,
    head: lower.head,
  };
}
