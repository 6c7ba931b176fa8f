/**
 * Verify of a long SQLite chain on several threads. SQLite hands each connection its own snapshot, so every worker
 * opens one and first checks it starts the chain where the main thread's does; appends made since are outside the
 * range (it ends at the main snapshot's last record). All threads, the main one included, claim chunks from one
 * shared counter, so a worker that starts late simply does less; a worker that has not joined when the main thread
 * runs out of chunks is stopped, and any chunk a worker failed to report is scanned again on the main thread.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { joinScans, newScanState, type ScanState } from "../scan.js";
import type { ChainKey, SignalRecord } from "../types.js";
import type { ChainScan } from "../verify.js";
import { chunkBounds, scanClaimedChunks, WORKER_CLOSED, WORKER_IDLE } from "./chunk-scan.js";

/** below this many records a worker's start (≈ 30–50 ms) costs more than it saves */
export const PARALLEL_FROM = 100_000;
/** records per chunk: small enough that threads finish together, large enough that claiming costs nothing */
const CHUNK_RECORDS = 16_384;

export interface ParallelVerifyOptions {
  /** the database file (each worker opens it read-only) */
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** threads in all, the main one included; default: the cores, at most 4 */
  readonly threads?: number;
  /** fewest records worth more than one thread (default PARALLEL_FROM) */
  readonly from?: number;
  readonly chunkRecords?: number;
  /** the worker's module (dist/signals-verify-worker.js by default) */
  readonly workerUrl?: URL;
  /** wait until every worker has claimed its first chunk or given up before scanning (tests: each takes part) */
  readonly waitForWorkers?: boolean;
}

export interface VerifyWorkerData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly key: ChainKey;
  readonly firstSeq: number;
  readonly firstHash: string;
  readonly bounds: readonly (readonly [number, number])[];
  readonly control: SharedArrayBuffer;
  readonly worker: number;
}

export interface VerifyWorkerReply {
  readonly results: [number, ScanState][];
}

/** The default thread count: every core, at most 4 (more readers than that contend on one file). */
export function defaultVerifyThreads(): number {
  return Math.min(4, availableParallelism());
}

/**
 * Scans first..last of a chain on several threads, or returns undefined when it is too short to be worth it (the
 * caller scans it on its own). `db` is the main thread's connection, inside its read transaction.
 */
export async function parallelScan(
  db: BetterSqlite3.Database,
  key: ChainKey,
  first: SignalRecord,
  last: SignalRecord,
  options: ParallelVerifyOptions,
): Promise<ChainScan | undefined> {
  const threads = options.threads ?? defaultVerifyThreads();
  if (threads < 2 || last.seq - first.seq + 1 < (options.from ?? PARALLEL_FROM)) return undefined;
  const bounds = chunkBounds(first.seq, last.seq, options.chunkRecords ?? CHUNK_RECORDS);
  const workers = Math.min(threads - 1, bounds.length - 1);
  const control = new Int32Array(new SharedArrayBuffer(4 * (1 + workers)));
  const url = options.workerUrl ?? defaultWorkerUrl();
  const replies = Array.from({ length: workers }, (_, worker) =>
    runWorker(url, {
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs,
      key,
      firstSeq: first.seq,
      firstHash: first.hash,
      bounds,
      control: control.buffer as SharedArrayBuffer,
      worker,
    }),
  );
  if (options.waitForWorkers) await Promise.all(replies.map((r) => r.joinedOrGone()));
  const results = new Map(scanClaimedChunks(db, key, bounds, control));
  let threadsUsed = 1;
  for (let w = 0; w < workers; w++) {
    // a worker still idle now finds every chunk claimed: stop it rather than wait for its start
    if (Atomics.compareExchange(control, 1 + w, WORKER_IDLE, WORKER_CLOSED) === WORKER_IDLE) {
      await replies[w]!.stop();
      continue;
    }
    const done = await replies[w]!.reply;
    if (done.length) threadsUsed++;
    for (const [index, result] of done) results.set(index, result);
  }
  // chunks a failed worker claimed and never reported
  const missing = bounds.map((_, i) => i).filter((i) => !results.has(i));
  if (missing.length) {
    const again = new Int32Array(new SharedArrayBuffer(4));
    const retry = missing.map((i) => bounds[i]!);
    for (const [i, result] of scanClaimedChunks(db, key, retry, again)) results.set(missing[i]!, result);
  }
  const joined = bounds.reduce((lower, _, i) => joinScans(lower, results.get(i)!), newScanState());
  return { count: joined.count, problems: joined.problems, firstFailSeq: joined.firstFailSeq, threads: threadsUsed };
}

interface RunningWorker {
  /** what the worker scanned; empty when it failed or did not join */
  readonly reply: Promise<[number, ScanState][]>;
  /** settles once the worker has joined the scan or ended (polls: for waitForWorkers only) */
  joinedOrGone(): Promise<void>;
  stop(): Promise<void>;
}

function runWorker(url: URL, data: VerifyWorkerData): RunningWorker {
  const worker = new Worker(url, { workerData: data });
  const state = new Int32Array(data.control);
  const reply = new Promise<[number, ScanState][]>((resolve) => {
    worker.once("message", (m: VerifyWorkerReply) => resolve(m.results));
    worker.once("error", () => resolve([]));
    worker.once("exit", () => resolve([]));
  });
  let gone = false;
  void reply.then(() => {
    gone = true;
  });
  return {
    reply,
    async joinedOrGone() {
      while (!gone && Atomics.load(state, 1 + data.worker) === WORKER_IDLE) await new Promise((r) => setTimeout(r, 1));
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/**
 * The built worker next to the bundle (dist/signals-verify-worker.js); from the TypeScript sources (tests), the
 * built one of the same checkout, since a worker thread cannot load TypeScript by itself.
 */
function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith(".ts")
    ? new URL("../../../dist/signals-verify-worker.js", import.meta.url)
    : new URL("./signals-verify-worker.js", import.meta.url);
}
