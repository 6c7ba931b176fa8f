/** The signal log's vocabulary: what callers append, what the store keeps, what verify and prune report. */
import type { EnvironmentName } from "../environment/names.js";

/** What the runtime records; `checkpoint` is written only by pruning. */
export const SIGNAL_KINDS = ["signal", "order_decision", "risk_rejection", "halt", "resume", "deploy_marker"] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export type RecordKind = SignalKind | "checkpoint";
export const RECORD_KINDS: readonly RecordKind[] = [...SIGNAL_KINDS, "checkpoint"];

/** `full`: every append is on disk before it returns; `relaxed`: survives a crash of the process, not of the machine. */
export type Durability = "full" | "relaxed";

/** One record to append; the store adds sequence, environment, hashes and (unless given) the time. */
export interface SignalInput {
  readonly project: string;
  readonly kind: SignalKind;
  /** any JSON value; stored as canonical JSON (RFC 8785) */
  readonly payload: unknown;
  readonly release?: string;
  readonly configHash?: string;
  readonly strategy?: string;
  /** when it happened; default: the store's clock at append */
  readonly time?: Date | string;
}

/** A stored record, exactly as hashed (see docs/signals.md for the encoding). */
export interface SignalRecord {
  readonly seq: number;
  /** ISO 8601 UTC with milliseconds, e.g. 2025-01-02T03:04:05.678Z */
  readonly time: string;
  readonly environment: string;
  readonly project: string;
  /** empty when unknown */
  readonly release: string;
  readonly configHash: string;
  readonly strategy: string;
  readonly kind: RecordKind;
  /** canonical JSON text */
  readonly payload: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** One chain: the records of one project in one environment. */
export interface ChainKey {
  readonly environment: string;
  readonly project: string;
}

export interface ChainTip {
  readonly seq: number;
  readonly hash: string;
}

export type BreakReason = "changed" | "missing" | "inserted" | "reordered";

export interface ChainBreak {
  /** the first bad sequence number */
  readonly seq: number;
  readonly reason: BreakReason;
  /** one sentence saying what was found */
  readonly detail: string;
}

export interface Checkpoint {
  /** sequence number of the checkpoint record itself */
  readonly seq: number;
  readonly time: string;
  /** the cut: records firstSeq..throughSeq were pruned; throughHash is the hash of the last one */
  readonly firstSeq: number;
  readonly throughSeq: number;
  readonly throughHash: string;
  readonly throughTime: string;
  readonly retentionDays: number;
}

export interface ChainVerification extends ChainKey {
  readonly ok: boolean;
  readonly records: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  /** the head recorded by the store (the anchor that exposes a truncated tail) */
  readonly head?: ChainTip;
  /** the checkpoint that accounts for the start of the chain after pruning */
  readonly checkpoint?: Checkpoint;
  readonly firstBad?: ChainBreak;
  /** how many records or links failed in all (the first one is firstBad) */
  readonly problems: number;
  /** threads that hashed the records (more than one on a long SQLite chain) */
  readonly threads: number;
}

/** A problem with the store itself rather than with one record: what `signals verify` checks besides the hashes. */
export interface IntegrityFinding {
  /** the chain it concerns, when it concerns one */
  readonly project?: string;
  readonly reason:
    | "table-missing"
    | "trigger-dropped"
    | "records-wiped"
    | "head-lowered"
    | "anchor-mismatch"
    | "anchor-missing";
  /** one sentence saying what changed */
  readonly detail: string;
}

/** A chain head saved elsewhere: record `seq` of `project` must still have `hash`. */
export interface Anchor {
  readonly project: string;
  readonly seq: number;
  readonly hash: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly environment: string;
  readonly chains: readonly ChainVerification[];
  /** problems of the store beyond the records' hashes (empty when none) */
  readonly integrity: readonly IntegrityFinding[];
  /** anchors checked against the chains */
  readonly anchors: readonly (Anchor & { readonly ok: boolean })[];
}

export interface PruneResult extends ChainKey {
  readonly cutoff: string;
  readonly deleted: number;
  readonly firstSeq?: number;
  readonly throughSeq?: number;
  readonly throughHash?: string;
  /** the checkpoint record written (absent on a dry run or when nothing was old enough) */
  readonly checkpointSeq?: number;
  readonly dryRun: boolean;
}

export interface PruneOptions {
  readonly retentionDays: number;
  readonly project?: string;
  readonly dryRun?: boolean;
  /** default: the store's clock */
  readonly now?: Date;
}

export interface ReadQuery {
  readonly project: string;
  readonly fromSeq?: number;
  readonly toSeq?: number;
  /** ISO times, inclusive */
  readonly fromTime?: string;
  readonly toTime?: string;
  readonly limit?: number;
  /** newest first (for tail) */
  readonly descending?: boolean;
}

/** The signal log of one environment. */
export interface SignalStore {
  readonly environment: EnvironmentName;
  readonly backend: "sqlite" | "postgres";
  /** where it is, safe to print (no password) */
  readonly location: string;
  /**
   * Appends records in one transaction, each chain under its own lock (a second writer waits, never forks).
   * @throws TroError TRO_ERR_USAGE (a record is invalid), TRO_ERR_SIGNALS_STORE, TRO_ERR_SIGNALS_CHAIN_BROKEN
   */
  append(records: readonly SignalInput[]): Promise<readonly SignalRecord[]>;
  /** The newest record of a project's chain; undefined when it has none. */
  head(project: string): Promise<ChainTip | undefined>;
  /** Every chain of this environment. */
  chains(): Promise<readonly ChainKey[]>;
  /** Records of one chain in pages, oldest first unless `descending`. */
  read(query: ReadQuery): AsyncIterable<readonly SignalRecord[]>;
  /** Recomputes chains from a consistent snapshot; never throws for a broken chain, it reports it. */
  /** checks every chain, the store's integrity, and the anchors given (heads saved elsewhere) */
  verify(options?: { readonly project?: string; readonly anchors?: readonly Anchor[] }): Promise<VerifyReport>;
  /** Deletes records older than the retention, keeping a chained checkpoint at each cut. */
  prune(options: PruneOptions): Promise<readonly PruneResult[]>;
  close(): Promise<void>;
}
