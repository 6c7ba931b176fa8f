/**
 * A verify worker thread: opens its own read-only connection, checks that its snapshot starts the chain where the
 * main thread's does (else a prune ran in between and it leaves the work to the main thread), then scans chunks
 * claimed from the counter it shares with the main thread, and sends back what each chunk held.
 */
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { NEXT_CHUNK, scanClaimedChunks, WORKER_IDLE, WORKER_JOINED } from "./chunk-scan.js";
import type { VerifyWorkerData, VerifyWorkerReply } from "./parallel-verify.js";
import { chainStartStatement } from "./queries.js";

const data = workerData as VerifyWorkerData;
const control = new Int32Array(data.control);
const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const db = new Database(data.path, { readonly: true, fileMustExist: true, timeout: data.busyTimeoutMs });
let reply: VerifyWorkerReply;
try {
  db.exec("BEGIN");
  const start = chainStartStatement(db).get(data.key.environment, data.key.project) as [number, string] | undefined;
  const same = start?.[0] === data.firstSeq && start[1] === data.firstHash;
  // claim a chunk, then join: a chunk claimed by a worker the main thread has already given up on is scanned again
  const first = same ? Atomics.add(control, NEXT_CHUNK, 1) : data.bounds.length;
  const joined =
    first < data.bounds.length &&
    Atomics.compareExchange(control, 1 + data.worker, WORKER_IDLE, WORKER_JOINED) === WORKER_IDLE;
  reply = { results: joined ? scanClaimedChunks(db, data.key, data.bounds, control, first) : [] };
  db.exec("COMMIT");
} finally {
  db.close();
}
parentPort!.postMessage(reply);
