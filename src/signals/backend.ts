/** What each database provides to the store; chaining, verification and retention rules live above it. */
import type { ChainInput, PreparedInput } from "./prepare.js";
import type { CutPlan } from "./retention.js";
import type { ChainKey, ChainTip, IntegrityFinding, ReadQuery, SignalRecord } from "./types.js";
import type { ChainReader } from "./verify.js";

/** The columns of a record, in table order. */
export const RECORD_COLUMNS = [
  "environment",
  "project",
  "seq",
  "time",
  "release",
  "config_hash",
  "strategy",
  "kind",
  "payload",
  "prev_hash",
  "hash",
] as const;

/** Builds a record from a row in RECORD_COLUMNS order. */
export function recordFromRow(row: readonly unknown[]): SignalRecord {
  return {
    environment: row[0] as string,
    project: row[1] as string,
    seq: Number(row[2]),
    time: row[3] as string,
    release: row[4] as string,
    configHash: row[5] as string,
    strategy: row[6] as string,
    kind: row[7] as SignalRecord["kind"],
    payload: row[8] as string,
    prevHash: row[9] as string,
    hash: row[10] as string,
  };
}

/** A row in RECORD_COLUMNS order. */
export function rowFromRecord(r: SignalRecord): unknown[] {
  return [
    r.environment,
    r.project,
    r.seq,
    r.time,
    r.release,
    r.configHash,
    r.strategy,
    r.kind,
    r.payload,
    r.prevHash,
    r.hash,
  ];
}

/** Builds the WHERE tail and parameters of a read query. */
export function rangeFilter(
  query: {
    readonly fromSeq?: number;
    readonly toSeq?: number;
    readonly fromTime?: string;
    readonly toTime?: string;
  },
  placeholder: (n: number) => string = () => "?",
  offset = 0,
): { sql: string; params: unknown[] } {
  const conditions: [string, unknown][] = [];
  if (query.fromSeq !== undefined) conditions.push(["seq >=", query.fromSeq]);
  if (query.toSeq !== undefined) conditions.push(["seq <=", query.toSeq]);
  if (query.fromTime !== undefined) conditions.push(["time >=", query.fromTime]);
  if (query.toTime !== undefined) conditions.push(["time <=", query.toTime]);
  return {
    sql: conditions.map(([c], i) => ` AND ${c} ${placeholder(offset + i + 1)}`).join(""),
    params: conditions.map(([, v]) => v),
  };
}

/** A prune of one chain, decided inside the write lock. */
export interface PruneRequest {
  readonly key: ChainKey;
  readonly cutoff: string;
  readonly dryRun: boolean;
  /** builds the checkpoint once the cut is known */
  readonly checkpoint: (plan: CutPlan) => PreparedInput;
}

export interface PruneOutcome {
  readonly plan?: CutPlan;
  readonly checkpoint?: SignalRecord;
}

export interface Backend {
  readonly kind: "sqlite" | "postgres";
  readonly location: string;
  /**
   * Appends the inputs of several chains of one environment in one transaction; each chain is locked, its tip
   * checked against the recorded head, and its records chained onto it.
   */
  append(environment: string, byProject: ReadonlyMap<string, readonly ChainInput[]>): Promise<SignalRecord[]>;
  tip(key: ChainKey): Promise<ChainTip | undefined>;
  chains(environment: string): Promise<ChainKey[]>;
  read(key: ChainKey, query: ReadQuery, pageSize: number): AsyncIterable<SignalRecord[]>;
  /** Runs fn against one consistent snapshot. */
  snapshot<T>(fn: (reader: ChainReader) => Promise<T>): Promise<T>;
  /** Deletes a chain's prefix through the dedicated prune path and appends the checkpoint, in one transaction. */
  prune(request: PruneRequest): Promise<PruneOutcome>;
  /** tables, append-only triggers and heads of chains that ever held records (backends that can tell) */
  integrity?(environment: string): Promise<IntegrityFinding[]>;
  close(): Promise<void>;
}
