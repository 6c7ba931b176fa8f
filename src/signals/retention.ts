/**
 * Retention: what a prune may cut and the checkpoint it leaves. A prune deletes the oldest records of a chain —
 * the longest prefix whose records are all older than the cutoff, so a record inside the retention is never
 * deleted even when clocks went backwards — and appends a checkpoint record naming the cut (last deleted sequence
 * number and hash). The checkpoint is chained like any record, so the cut cannot be moved or hidden afterwards.
 */
import { canonicalJson } from "./canonical.js";
import type { PreparedInput } from "./prepare.js";

const DAY_MS = 86_400_000;

/** The cut a prune makes in one chain. */
export interface CutPlan {
  readonly firstSeq: number;
  readonly throughSeq: number;
  readonly throughHash: string;
  readonly throughTime: string;
}

/** Records with a time before this ISO instant are past retention. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

/**
 * The sequence number of the last record a prune may delete: one before the first record inside retention,
 * or the newest record when every record is older.
 */
export function cutThrough(firstYoungSeq: number | undefined, lastSeq: number): number {
  return firstYoungSeq === undefined ? lastSeq : firstYoungSeq - 1;
}

/** The checkpoint record a prune appends after deleting a chain's prefix. */
export function checkpointInput(
  project: string,
  plan: CutPlan,
  options: { readonly retentionDays: number; readonly cutoff: string; readonly now: string },
): PreparedInput {
  const payload = canonicalJson({
    reason: "retention",
    retentionDays: options.retentionDays,
    cutoff: options.cutoff,
    firstSeq: plan.firstSeq,
    throughSeq: plan.throughSeq,
    throughHash: plan.throughHash,
    throughTime: plan.throughTime,
    deleted: plan.throughSeq - plan.firstSeq + 1,
  });
  return { project, kind: "checkpoint", payload, time: options.now, release: "", configHash: "", strategy: "" };
}
