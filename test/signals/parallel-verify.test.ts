/**
 * Verify of a SQLite chain on several threads finds exactly what one pass finds: intact, a record changed at the
 * first place of a range, a record deleted at the end of a range, a link forged across a range boundary with the
 * record's own hash recomputed, a whole range deleted. Also: a worker whose snapshot starts elsewhere leaves the
 * work to the main thread, a worker that dies after claiming ranges has them scanned again, and the store's
 * `verifyThreads` reaches the scan.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { recordHash } from "../../src/signals/encoding.js";
import { type ParallelVerifyOptions, parallelScan } from "../../src/signals/sqlite/parallel-verify.js";
import { sqliteReader } from "../../src/signals/sqlite/read.js";
import type { ChainVerification, SignalRecord } from "../../src/signals/types.js";
import { verifyChain } from "../../src/signals/verify.js";
import { freshBackend, signals, type TestBackend } from "./backends.js";

const KEY = { environment: "development", project: "argo" } as const;
const RECORDS = 12_000;
/** 12 ranges of 1,000 records, three threads, the main one starting once the workers have claimed their first */
const PARALLEL = { threads: 3, from: 1, chunkRecords: 1_000, waitForWorkers: true } as const;

let backend: TestBackend | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function chain(count = RECORDS): Promise<TestBackend> {
  backend = await freshBackend("sqlite");
  const store = await backend.open({ durability: "relaxed" });
  for (let from = 0; from < count; from += 5000)
    await store.append(signals("argo", Math.min(5000, count - from), from));
  await store.append(signals("lab", 3));
  return backend;
}

/** verifyChain over one read transaction, on one thread or with `parallel` */
async function verifyWith(b: TestBackend, parallel?: Partial<ParallelVerifyOptions>): Promise<ChainVerification> {
  if (b.location.backend !== "sqlite") throw new Error("sqlite only");
  const db = new Database(b.location.path, { readonly: true });
  try {
    db.exec("BEGIN");
    const options = parallel && { path: b.location.path, busyTimeoutMs: 1000, ...parallel };
    return await verifyChain(
      sqliteReader(db, (e) => e as Error, options),
      KEY,
    );
  } finally {
    db.close();
  }
}

/**
 * The one-thread and the parallel verdicts, which must agree in everything but the thread count. The main thread
 * waits for the workers' first claims, so at least one worker takes part (a fast one may take every range before a
 * slow one starts).
 */
async function both(b: TestBackend) {
  const one = await verifyWith(b);
  const many = await verifyWith(b, PARALLEL);
  expect(one.threads).toBe(1);
  expect(many.threads).toBeGreaterThanOrEqual(2);
  expect({ ...many, threads: 1 }).toEqual(one);
  return one;
}

async function recordAt(b: TestBackend, seq: number): Promise<SignalRecord> {
  const [row] = await b.sql(
    `SELECT prev_hash AS prevHash, seq, time, environment, project, release, config_hash AS configHash, strategy,
       kind, payload, hash FROM signal_records WHERE project = 'argo' AND seq = ?`,
    [seq],
  );
  return row as unknown as SignalRecord;
}

describe("verify on several threads (SQLite)", () => {
  it("agrees with one pass on an intact chain and on each kind of damage at range boundaries", async () => {
    const b = await chain();
    expect(await both(b)).toMatchObject({ ok: true, records: RECORDS, problems: 0 });

    await b.dropTriggers();
    // the first record of the range (3000, 4000]
    await b.sql("UPDATE signal_records SET payload = ? WHERE project = 'argo' AND seq = 3001", ['{"side":"sell"}']);
    expect(await both(b)).toMatchObject({ ok: false, problems: 1, firstBad: { seq: 3001, reason: "changed" } });

    // the last record of the range (5000, 6000]: the next range's first record no longer follows
    await b.sql("DELETE FROM signal_records WHERE project = 'argo' AND seq = 6000");
    const gap = await both(b);
    expect(gap).toMatchObject({ ok: false, records: RECORDS - 1, problems: 2 });

    // a forged link at a boundary, the record's own hash recomputed: only the link gives it away
    const forged = { ...(await recordAt(b, 8001)), prevHash: "f".repeat(64) };
    await b.sql("UPDATE signal_records SET prev_hash = ?, hash = ? WHERE project = 'argo' AND seq = 8001", [
      forged.prevHash,
      recordHash(forged),
    ]);
    expect(await both(b)).toMatchObject({ problems: 4 });

    // a whole range gone
    await b.sql("DELETE FROM signal_records WHERE project = 'argo' AND seq > 9000 AND seq <= 10000");
    expect(await both(b)).toMatchObject({ records: RECORDS - 1001, firstBad: { seq: 3001 } });
  });

  it("leaves the work to the main thread when a worker's snapshot starts the chain elsewhere", async () => {
    const b = await chain();
    if (b.location.backend !== "sqlite") throw new Error("sqlite only");
    const db = new Database(b.location.path, { readonly: true });
    try {
      db.exec("BEGIN");
      const first = { ...(await recordAt(b, 1)), hash: "0".repeat(64) };
      const last = await recordAt(b, RECORDS);
      const options = { path: b.location.path, busyTimeoutMs: 1000, ...PARALLEL };
      expect(await parallelScan(db, KEY, first, last, options)).toEqual({
        count: RECORDS,
        problems: 0,
        firstFailSeq: undefined,
        threads: 1,
      });
    } finally {
      db.close();
    }
  });

  it("scans again the ranges a worker claimed and never reported", async () => {
    const b = await chain();
    const dir = mkdtempSync(join(tmpdir(), "tradeops-verify-worker-"));
    dirs.push(dir);
    // claims two ranges, joins (so the main thread starts after both claims), and dies without a word
    const dying = join(dir, "dying-worker.mjs");
    writeFileSync(
      dying,
      `import { workerData } from "node:worker_threads";
       const control = new Int32Array(workerData.control);
       Atomics.add(control, 0, 1);
       Atomics.add(control, 0, 1);
       Atomics.compareExchange(control, 1 + workerData.worker, 0, 1);
       throw new Error("worker died");`,
    );
    await b.dropTriggers();
    await b.sql("UPDATE signal_records SET payload = ? WHERE project = 'argo' AND seq = 1500", ['{"side":"sell"}']);
    const result = await verifyWith(b, { ...PARALLEL, threads: 2, workerUrl: pathToFileURL(dying) });
    expect(result).toMatchObject({ records: RECORDS, problems: 1, firstBad: { seq: 1500 }, threads: 1 });
  });

  it("takes the store's verifyThreads: 1 keeps a long chain on the calling thread", async () => {
    const long = 100_000;
    const b = await chain(long);
    const alone = (await (await b.open({ verifyThreads: 1 })).verify({ project: "argo" })).chains[0]!;
    expect(alone).toMatchObject({ ok: true, records: long, threads: 1 });
    const shared = (await (await b.open()).verify({ project: "argo" })).chains[0]!;
    expect({ ...shared, threads: 1 }).toEqual(alone);
  });
});
