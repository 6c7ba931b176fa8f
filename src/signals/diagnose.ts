/**
 * Says what happened at the first bad record: changed (content or hash edited, or a record rewritten with a
 * recomputed hash), missing (deleted, with or without renumbering), inserted (a forged record between two real
 * ones) or reordered (records swapped). It reads the links around the failure: a record that is intact under
 * another sequence number was moved; a hash that a later record still points to was replaced.
 */
import { recordHash } from "./encoding.js";
import type { ChainBreak, SignalRecord } from "./types.js";

/** how far from its place a renumbered record is looked for */
const SHIFT_SEARCH = 3;

function intactAs(record: SignalRecord, seq: number): boolean {
  return recordHash({ ...record, seq }) === record.hash;
}

function originalSeq(rows: readonly SignalRecord[], at: number): number | undefined {
  const f = rows[at]!;
  const candidates = new Set<number>();
  const before = rows.find((r) => r.hash === f.prevHash);
  if (before) candidates.add(before.seq + 1);
  const after = rows.find((r) => r.prevHash === f.hash);
  if (after) candidates.add(after.seq - 1);
  for (let k = 1; k <= SHIFT_SEARCH; k++) candidates.add(f.seq + k).add(f.seq - k);
  candidates.delete(f.seq);
  for (const seq of candidates) if (seq > 0 && intactAs(f, seq)) return seq;
  return undefined;
}

function moved(rows: readonly SignalRecord[], at: number, original: number): ChainBreak {
  const f = rows[at]!;
  const p = rows[at - 1];
  if (original > f.seq) {
    const rightful = p && rows.some((r, i) => i > at && r.prevHash === p.hash);
    return rightful
      ? { seq: f.seq, reason: "reordered", detail: `record ${f.seq} holds the record written as ${original}` }
      : {
          seq: f.seq,
          reason: "missing",
          detail: `record ${f.seq} was deleted and the records after it renumbered (found record ${original} in its place)`,
        };
  }
  const before = rows.findIndex((r) => r.hash === f.prevHash);
  if (before >= 0 && before < at - 1) {
    const inserted = rows[before + 1]!;
    return {
      seq: inserted.seq,
      reason: "inserted",
      detail: `record ${inserted.seq} was inserted: the records after it were renumbered to make room`,
    };
  }
  return { seq: f.seq, reason: "reordered", detail: `record ${f.seq} holds the record written as ${original}` };
}

/**
 * The first bad record and why, given the records around a failure (in seq order, a few before it included).
 * `failSeq` is the sequence number the scan stopped at.
 */
export function diagnose(rows: readonly SignalRecord[], failSeq: number): ChainBreak {
  const at = rows.findIndex((r) => r.seq === failSeq);
  const f = rows[at];
  if (!f) return { seq: failSeq, reason: "missing", detail: `record ${failSeq} disappeared while it was verified` };
  const p = rows[at - 1];
  if (p && f.seq <= p.seq)
    return { seq: f.seq, reason: "inserted", detail: `sequence number ${f.seq} appears more than once` };
  if (p && f.seq > p.seq + 1) {
    const range = f.seq - 1 > p.seq + 1 ? `records ${p.seq + 1}–${f.seq - 1} are` : `record ${p.seq + 1} is`;
    return { seq: p.seq + 1, reason: "missing", detail: `${range} missing` };
  }
  if (recordHash(f) !== f.hash) {
    const original = originalSeq(rows, at);
    if (original !== undefined) return moved(rows, at, original);
    const next = rows[at + 1];
    const what =
      next && next.prevHash === recordHash(f) ? "its stored hash was altered" : "its content does not match its hash";
    return { seq: f.seq, reason: "changed", detail: `record ${f.seq} was changed: ${what}` };
  }
  // intact itself, but it does not link to the record before it
  const pp = rows[at - 2];
  if (p && pp && f.prevHash === pp.hash)
    return { seq: p.seq, reason: "inserted", detail: `record ${p.seq} was inserted: record ${f.seq} links past it` };
  if (rows.some((r, i) => i > at && r.hash === f.prevHash))
    return { seq: f.seq, reason: "reordered", detail: `record ${f.seq} links to a record that comes after it` };
  if (!p) return { seq: f.seq, reason: "changed", detail: `record ${f.seq} does not link to the record before it` };
  return {
    seq: p.seq,
    reason: "changed",
    detail: `record ${p.seq} was rewritten with a recomputed hash: record ${f.seq} still links to the original`,
  };
}
