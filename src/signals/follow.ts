/** The newest records of an environment, and new ones as they arrive (for `signals tail [-f]`). */
import type { ChainKey, SignalRecord, SignalStore } from "./types.js";

/** how often follow mode looks for new records */
export const FOLLOW_POLL_MS = 500;

export interface TailOptions {
  readonly project?: string;
  readonly lines: number;
}

async function chainsOf(store: SignalStore, project: string | undefined): Promise<readonly ChainKey[]> {
  return project ? [{ environment: store.environment, project }] : store.chains();
}

const byTime = (a: SignalRecord, b: SignalRecord) =>
  a.time < b.time ? -1 : a.time > b.time ? 1 : a.project < b.project ? -1 : a.project > b.project ? 1 : a.seq - b.seq;

/** The last `lines` records over the chains asked for, oldest first. */
export async function tailRecords(store: SignalStore, options: TailOptions): Promise<SignalRecord[]> {
  const out: SignalRecord[] = [];
  if (options.lines <= 0) return out;
  for (const key of await chainsOf(store, options.project))
    for await (const page of store.read({ project: key.project, descending: true, limit: options.lines }))
      out.push(...page);
  return out.sort(byTime).slice(-options.lines);
}

export interface FollowOptions {
  readonly project?: string;
  /** the newest sequence number already shown, per project */
  readonly after: ReadonlyMap<string, number>;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** New records as they are appended (polling), until the signal aborts. */
export async function* followRecords(store: SignalStore, options: FollowOptions): AsyncGenerator<SignalRecord[]> {
  const after = new Map(options.after);
  while (!options.signal.aborted) {
    const batch: SignalRecord[] = [];
    for (const key of await chainsOf(store, options.project)) {
      const from = (after.get(key.project) ?? 0) + 1;
      for await (const page of store.read({ project: key.project, fromSeq: from })) batch.push(...page);
    }
    for (const r of batch) after.set(r.project, Math.max(after.get(r.project) ?? 0, r.seq));
    if (batch.length) yield batch.sort(byTime);
    await pause(options.pollMs ?? FOLLOW_POLL_MS, options.signal);
  }
}
