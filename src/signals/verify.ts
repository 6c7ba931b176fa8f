/**
 * Verifies one chain from a consistent snapshot, in three parts: the start (genesis, or the checkpoint of the
 * last prune), every record and link in between (scan.ts), and the end against the head the store recorded at
 * its last append (which exposes a truncated tail or records appended behind the store's back).
 */
import { diagnose } from "./diagnose.js";
import { GENESIS_HASH } from "./encoding.js";
import type { ScanState } from "./scan.js";
import type { ChainBreak, ChainKey, ChainTip, ChainVerification, Checkpoint, SignalRecord } from "./types.js";

/** Reads one snapshot of a store; every backend provides it. */
export interface ChainReader {
  /** the first and last record of a chain */
  bounds(key: ChainKey): Promise<{ first?: SignalRecord; last?: SignalRecord }>;
  /** the head the store recorded at its last append */
  anchor(key: ChainKey): Promise<ChainTip | undefined>;
  /**
   * every record's hash, link and sequence number checked (scan.ts), in seq order from `first` through `last`; each
   * backend reads its way (SQLite: pages, a long chain on several threads; PostgreSQL: binary COPY, two halves at
   * once)
   */
  scan(key: ChainKey, first: SignalRecord, last: SignalRecord): Promise<ChainScan>;
  /** full records with fromSeq ≤ seq ≤ toSeq */
  range(key: ChainKey, fromSeq: number, toSeq: number): Promise<readonly SignalRecord[]>;
  /** every checkpoint record of a chain */
  checkpoints(key: ChainKey): Promise<readonly SignalRecord[]>;
}

/** what a chain's scan found, and how many threads hashed it */
export type ChainScan = Pick<ScanState, "count" | "problems" | "firstFailSeq"> & { readonly threads: number };

/** how many records after a failure diagnosis looks at (to find where a moved record belongs) */
const DIAGNOSIS_WINDOW = 10_000;

/** The cut a checkpoint record describes, or undefined when its payload is not a checkpoint's. */
export function parseCheckpoint(record: SignalRecord): Checkpoint | undefined {
  try {
    const p = JSON.parse(record.payload) as Record<string, unknown>;
    if (typeof p.throughSeq !== "number" || typeof p.throughHash !== "string") return undefined;
    return {
      seq: record.seq,
      time: record.time,
      firstSeq: Number(p.firstSeq),
      throughSeq: p.throughSeq,
      throughHash: p.throughHash,
      throughTime: String(p.throughTime),
      retentionDays: Number(p.retentionDays),
    };
  } catch {
    return undefined;
  }
}

async function checkStart(reader: ChainReader, key: ChainKey, first: SignalRecord) {
  if (first.seq === 1) {
    if (first.prevHash === GENESIS_HASH) return {};
    const brk: ChainBreak = { seq: 1, reason: "changed", detail: "record 1 does not start from the genesis hash" };
    return { brk };
  }
  const cuts = (await reader.checkpoints(key)).map(parseCheckpoint).filter((c) => c !== undefined);
  const checkpoint = cuts.find((c) => c.throughSeq === first.seq - 1);
  if (checkpoint && checkpoint.throughHash === first.prevHash) return { checkpoint };
  if (checkpoint) {
    const detail = `record ${first.seq} does not link to the hash the checkpoint (record ${checkpoint.seq}) recorded at the cut`;
    return { brk: { seq: first.seq, reason: "changed", detail } satisfies ChainBreak };
  }
  const from = Math.max(0, ...cuts.map((c) => c.throughSeq).filter((s) => s < first.seq)) + 1;
  const range = first.seq - 1 > from ? `records ${from}–${first.seq - 1} are` : `record ${from} is`;
  const detail = `${range} missing and no checkpoint records a cut there`;
  return { brk: { seq: from, reason: "missing", detail } satisfies ChainBreak };
}

function checkEnd(
  anchor: ChainTip | undefined,
  first: SignalRecord | undefined,
  last: SignalRecord | undefined,
): ChainBreak | undefined {
  if (!anchor) {
    if (!first) return undefined;
    const detail = "the chain has records but the store never recorded a head for it";
    return { seq: first.seq, reason: "inserted", detail };
  }
  const lastSeq = last?.seq ?? 0;
  if (anchor.seq > lastSeq) {
    const range = anchor.seq > lastSeq + 1 ? `records ${lastSeq + 1}–${anchor.seq} are` : `record ${anchor.seq} is`;
    return { seq: lastSeq + 1, reason: "missing", detail: `${range} missing: the tail was cut off` };
  }
  if (anchor.seq < lastSeq)
    return {
      seq: anchor.seq + 1,
      reason: "inserted",
      detail: `records after ${anchor.seq} were added behind the store's back (its head is ${anchor.seq})`,
    };
  if (anchor.hash !== last?.hash)
    return { seq: lastSeq, reason: "changed", detail: `record ${lastSeq} is not the record the store's head names` };
  return undefined;
}

/** Verifies one chain; the reader must hold one snapshot for the whole call. */
export async function verifyChain(reader: ChainReader, key: ChainKey): Promise<ChainVerification> {
  const anchor = await reader.anchor(key);
  const { first, last } = await reader.bounds(key);
  const found: ChainBreak[] = [];
  let checkpoint: Checkpoint | undefined;
  let state: ChainScan = { count: 0, problems: 0, firstFailSeq: undefined, threads: 1 };
  if (first) {
    state = await reader.scan(key, first, last ?? first);
    if (state.firstFailSeq !== undefined) {
      const from = Math.max(first.seq, state.firstFailSeq - 3);
      found.push(diagnose(await reader.range(key, from, state.firstFailSeq + DIAGNOSIS_WINDOW), state.firstFailSeq));
    }
    const start = await checkStart(reader, key, first);
    checkpoint = start.checkpoint;
    if (start.brk) found.push(start.brk);
  }
  const end = checkEnd(anchor, first, last);
  if (end) found.push(end);
  // in seq order; where two checks name the same record, the scan's diagnosis (found first) says it best
  const breaks = found.sort((a, b) => a.seq - b.seq).filter((b, i, all) => i === 0 || all[i - 1]!.seq !== b.seq);
  const problems = state.problems + breaks.length - (state.firstFailSeq === undefined ? 0 : 1);
  return {
    ...key,
    ok: breaks.length === 0,
    records: state.count,
    firstSeq: first?.seq,
    lastSeq: last?.seq,
    head: anchor,
    checkpoint,
    firstBad: breaks[0],
    problems,
    threads: state.threads,
  };
}
