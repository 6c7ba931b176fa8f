// Signal log (SPEC §14): append speed with the hash chain against plain inserts of the same rows, and verify speed
// against raw SHA-256 over the same bytes, on SQLite (durable: WAL, synchronous=FULL) and on a real PostgreSQL 15
// started for this run in a temporary directory. Targets: SQLite append ≥ 100,000 records/s and ≥ 0.7× plain
// inserts, verify ≥ 0.8× one-shot SHA-256; PostgreSQL append ≥ 0.95× plain inserts, verify ≥ 0.5× SHA-256.
// Durability is never lowered for speed: both sides run as shipped (WAL + synchronous=FULL; synchronous_commit=on).
//
// - chain append: SignalStore.append() of payload objects in batches (validation, canonical JSON, SHA-256 chain,
//   head check and update, one transaction per batch);
// - plain insert (the baseline): the rows the chain produced, inserted into an identical table (same columns and
//   indexes, no triggers) with the same statement shape, batch size and durability, each payload serialised from
//   the caller's object with JSON.stringify in the timed loop, as any logger of these signals must (same bytes,
//   the caller's key order); the chain's extra work is what is left: canonical key order, encoding, SHA-256,
//   linking and the head. The same insert of the chain's already-serialised rows is reported beside it
//   ("prebuilt rows");
// - verify: SignalStore.verify() (reads every record's encoding from the database, hashes it, checks links);
//   on SQLite also of a long chain (1,000,000 records, about a year of a busy bot's signals), where verify hashes
//   on every core (up to 4): the target is judged there, since a worker thread's start (≈ 30 ms) is a large part
//   of verifying 100,000 records (≈ 0.1 s); the same long chain on one thread is reported beside it;
// - reading only: the rows verify reads, through the same driver with the same query, nothing hashed (the floor
//   of any verify through that driver);
// - raw SHA-256: one-shot crypto.hash() per record over the same encoded bytes held in memory (the least work any
//   verifier must do); crypto.createHash() per record and one hash over all bytes are reported for context.
//
// Appends run in 3 interleaved rounds (chain, then plain, a new chain each round) and report the best of each;
// verify reports the best of 3 runs. Tunable through the environment: BENCH_SIGNALS_SQLITE (records per round,
// default 100000), BENCH_SIGNALS_LONG (records of the long SQLite chain, default 1000000), BENCH_SIGNALS_PG (default 50000), BENCH_SIGNALS_BATCH (default 1000), BENCH_SIGNALS_ONLY
// (`sqlite` or `postgres`: measure one backend, for quick looks; the result then names the other as not measured),
// BENCH_LIBRARY (path of the built library, default dist/index.js).
import { execFileSync } from "node:child_process";
import { createHash, hash } from "node:crypto";
import { once } from "node:events";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const SQLITE_RECORDS = Number(process.env.BENCH_SIGNALS_SQLITE) || 100_000;
const LONG_RECORDS = Number(process.env.BENCH_SIGNALS_LONG) || 1_000_000;
const PG_RECORDS = Number(process.env.BENCH_SIGNALS_PG) || 50_000;
const ROUNDS = 3;
const BATCH = Number(process.env.BENCH_SIGNALS_BATCH) || 1_000;
const ONLY = process.env.BENCH_SIGNALS_ONLY;
const APPEND_TARGET = 100_000;
/** ratio targets against the same-run baselines */
const TARGETS = { sqliteAppend: 0.7, sqliteVerify: 0.8, pgAppend: 0.95, pgVerify: 0.5 };
const DURABILITY =
  "durability as shipped: SQLite WAL + synchronous=FULL on both sides; PostgreSQL synchronous_commit=on; one transaction per batch";
const PG_BIN = "/usr/lib/postgresql/15/bin";

const COLUMNS = "environment, project, seq, time, release, config_hash, strategy, kind, payload, prev_hash, hash";
const TABLE = `(environment TEXT NOT NULL, project TEXT NOT NULL, seq INTEGER NOT NULL, time TEXT NOT NULL,
  release TEXT NOT NULL, config_hash TEXT NOT NULL, strategy TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (environment, project, seq))`;

/** the signal table's partial index, which every insert evaluates: the plain table has it too */
const checkpointIndex = (table) =>
  `CREATE INDEX ${table}_checkpoints ON ${table} (environment, project, seq) WHERE kind = 'checkpoint'`;

/** A realistic signal: symbol, side, price, size, confidence, indicator values and a reason (~200 bytes). */
function batchOf(n, offset) {
  return Array.from({ length: n }, (_, i) => ({
    project: "argo",
    kind: "signal",
    strategy: "sma-cross",
    release: "20250101T000000Z-abc1234",
    configHash: "3f".repeat(32),
    payload: {
      symbol: "AAPL",
      side: (offset + i) % 2 ? "buy" : "sell",
      price: 187.23 + ((offset + i) % 1000) / 100,
      qty: 10,
      confidence: 0.73,
      indicators: { sma_fast: 186.1, sma_slow: 184.9, rsi: 61.2, momentum: 0.012 },
      reason: "fast SMA crossed above slow SMA",
    },
  }));
}

const perSecond = (count, ms) => Math.round(count / (ms / 1000));

/**
 * Appends `total` records to one chain in batches; records/s. The caller's objects are built before the clock
 * starts, as the plain insert's rows are: both sides time only what the store does with them.
 */
async function timeChainAppend(store, project, total, cpu = noServer) {
  const batches = [];
  for (let done = 0; done < total; done += BATCH)
    batches.push(batchOf(Math.min(BATCH, total - done), done).map((r) => ({ ...r, project })));
  const before = cpu();
  const started = performance.now();
  for (const batch of batches) await store.append(batch);
  return {
    rate: perSecond(total, performance.now() - started),
    cpu: cpuPerRecord(before, cpu(), total),
    inputs: batches.flat(),
  };
}

/** CPU time so far in ms: this process, and the database server's processes (none for SQLite) */
function noServer() {
  const { user, system } = process.cpuUsage();
  return { client: (user + system) / 1000, server: 0 };
}

/** µs of CPU per record between two readings */
function cpuPerRecord(before, after, records) {
  const us = (ms) => Math.round((ms * 100000) / records) / 100;
  return { client: us(after.client - before.client), server: us(after.server - before.server) };
}

/** The median of per-round CPU readings, per side. */
function medianCpu(readings) {
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { client: median(readings.map((r) => r.client)), server: median(readings.map((r) => r.server)) };
}

/** The rows a chain holds (read back after timing, so the timed loop holds nothing). */
async function chainRows(store, project) {
  const rows = [];
  for await (const page of store.read({ project })) for (const r of page) rows.push(r);
  return rows;
}

/**
 * ROUNDS rounds of: chain append of `total` records (a new chain each round), then plain inserts of exactly those
 * rows. Interleaved so that noise from a shared machine falls on both; the best round of each is reported.
 */
async function appendRounds(store, total, plainInsert, log, label, cpu = noServer) {
  await timeChainAppend(store, "warm-up", Math.min(total, 20 * BATCH));
  const chain = [];
  const plain = [];
  const plainRows = [];
  const cpuChain = [];
  const cpuPlain = [];
  for (let round = 0; round < ROUNDS; round++) {
    log(`${label}: round ${round + 1}/${ROUNDS}: chain append of ${total} records in batches of ${BATCH}, then plain`);
    const appended = await timeChainAppend(store, `argo-${round}`, total, cpu);
    chain.push(appended.rate);
    cpuChain.push(appended.cpu);
    const rows = await chainRows(store, `argo-${round}`);
    const before = cpu();
    plain.push(await plainInsert(withPayloadsOf(rows, appended.inputs, `plain-${round}`)));
    cpuPlain.push(cpuPerRecord(before, cpu(), rows.length));
    plainRows.push(await plainInsert(rows.map((r) => ({ ...r, project: `rows-${round}` }))));
  }
  return {
    append: Math.max(...chain),
    plainInsert: Math.max(...plain),
    plainInsertRows: Math.max(...plainRows),
    rounds: { chain, plain, plainRows },
    // each round's chain against the plain insert run right after it: less exposed to load that comes and goes
    pairedRatios: chain.map((rate, i) => Math.round((rate / plain[i]) * 1000) / 1000),
    // the work each side does per record, whatever else the machine runs meanwhile (median of the rounds)
    cpuPerRecordUs: { chain: medianCpu(cpuChain), plain: medianCpu(cpuPlain) },
  };
}

/**
 * The chain's rows with the caller's payload objects in place of the canonical text, for the plain insert that
 * serialises them as any logger must (JSON.stringify: the same bytes in the caller's key order).
 */
function withPayloadsOf(rows, inputs, project) {
  return rows.map((r, i) => ({ ...r, project, payload: inputs[i].payload }));
}

/** The payload text a plain insert stores: serialised here when the row carries the caller's object. */
const payloadText = (payload) => (typeof payload === "string" ? payload : JSON.stringify(payload));

function rawHashRates(lib, rows) {
  const buffers = rows.map((r) => Buffer.from(lib.encodeRecord(r)));
  const bytes = buffers.reduce((n, b) => n + b.length, 0);
  const time = (fn) => {
    const started = performance.now();
    fn();
    return perSecond(buffers.length, performance.now() - started);
  };
  const oneShotAll = () => {
    for (const b of buffers) hash("sha256", b, "hex");
  };
  oneShotAll(); // warm up
  const oneShot = Math.max(time(oneShotAll), time(oneShotAll));
  const createHashRate = time(() => {
    for (const b of buffers) createHash("sha256").update(b).digest("hex");
  });
  const stream = time(() => {
    const h = createHash("sha256");
    for (const b of buffers) h.update(b);
    h.digest();
  });
  return { oneShot, createHash: createHashRate, stream, bytesPerRecord: Math.round(bytes / buffers.length) };
}

/** records/s as MB/s of encoded record bytes */
function mbps(rate, bytesPerRecord) {
  return Math.round((rate * bytesPerRecord) / 1e5) / 10;
}

/**
 * The query verify reads pages with (src/signals/sqlite/queries.ts and postgres/queries.ts): reading the chain
 * with it and hashing nothing is the floor of any verify through the same driver ("read only").
 */
const ENCODED_PAGE = `SELECT hash || concat_ws(char(10), 'tradeops.signal.v1', prev_hash, seq, time, environment, project,
  release, config_hash, strategy, kind, payload) FROM signal_records WHERE environment = $1 AND project = $2 AND seq > $3
  ORDER BY seq LIMIT $4`;

/** Runs fn three times (awaiting it when it is async); the best records/s. */
async function bestOf3(total, fn) {
  const rates = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await fn();
    rates.push(perSecond(total, performance.now() - started));
  }
  return Math.max(...rates);
}

/** Verifies a chain of `total` records three times (it must verify, every record counted); the best records/s. */
function timeVerify(store, project, total) {
  return bestOf3(total, async () => {
    const chain = (await store.verify({ project })).chains[0];
    if (!chain?.ok || chain.records !== total) throw new Error(`verify failed: ${JSON.stringify(chain)}`);
  });
}

async function benchSqlite(lib, log) {
  const Database = require("better-sqlite3");
  const dir = mkdtempSync(join(tmpdir(), "tradeops-bench-signals-"));
  try {
    const store = await lib.openSignalStoreAt(
      { backend: "sqlite", path: join(dir, "signals.db"), display: "signals.db" },
      { environment: "production", durability: "full" },
    );
    const plain = new Database(join(dir, "plain.db"));
    plain.pragma("page_size = 16384");
    plain.pragma("journal_mode = WAL");
    plain.pragma("synchronous = FULL");
    plain.exec(`CREATE TABLE records ${TABLE} WITHOUT ROWID`);
    plain.exec(checkpointIndex("records"));
    const insert = plain.prepare(`INSERT INTO records (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertBatch = plain.transaction((rows) => {
      for (const r of rows)
        insert.run(
          r.environment,
          r.project,
          r.seq,
          r.time,
          r.release,
          r.configHash,
          r.strategy,
          r.kind,
          payloadText(r.payload),
          r.prevHash,
          r.hash,
        );
    });
    const plainInsert = async (rows) => {
      const started = performance.now();
      for (let i = 0; i < rows.length; i += BATCH) insertBatch.immediate(rows.slice(i, i + BATCH));
      return perSecond(rows.length, performance.now() - started);
    };
    const appends = await appendRounds(store, SQLITE_RECORDS, plainInsert, log, "sqlite");
    plain.close();

    log("sqlite: verify, and raw SHA-256 over the same bytes");
    const verify = await timeVerify(store, "argo-0", SQLITE_RECORDS);
    const raw = rawHashRates(lib, await chainRows(store, "argo-0"));
    // read while the store is open, as verify reads (its write-ahead log not yet folded into the file)
    const reader = new Database(join(dir, "signals.db"), { readonly: true });
    const page = reader.prepare(ENCODED_PAGE.replaceAll(/\$\d/g, "?")).pluck();
    const readOnly = await bestOf3(SQLITE_RECORDS, () => {
      for (let after = 0; ; ) {
        const rows = page.all("production", "argo-0", after, 4096);
        if (!rows.length) break;
        after += rows.length;
      }
    });
    reader.close();
    await store.close();
    return { ...appends, verify, readOnly, raw, long: await benchSqliteLong(lib, log) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Verify of one long chain (LONG_RECORDS) on every core and on one thread, against one-shot SHA-256 of the same
 * encodings. The chain is written without waiting for the disk (its durability does not change what verify reads).
 */
async function benchSqliteLong(lib, log) {
  const Database = require("better-sqlite3");
  const dir = mkdtempSync(join(tmpdir(), "tradeops-bench-signals-long-"));
  const location = { backend: "sqlite", path: join(dir, "signals.db"), display: "signals.db" };
  try {
    log(`sqlite: a long chain of ${LONG_RECORDS} records for verify`);
    const writer = await lib.openSignalStoreAt(location, { environment: "production", durability: "relaxed" });
    for (let done = 0; done < LONG_RECORDS; done += 5 * BATCH)
      await writer.append(batchOf(Math.min(5 * BATCH, LONG_RECORDS - done), done));
    await writer.close();
    const verifyWith = async (verifyThreads) => {
      const store = await lib.openSignalStoreAt(location, { environment: "production", readOnly: true, verifyThreads });
      const rate = await timeVerify(store, "argo", LONG_RECORDS);
      const { threads } = (await store.verify({ project: "argo" })).chains[0];
      await store.close();
      return { rate, threads };
    };
    log("sqlite: verify of the long chain on every core, then on one thread");
    const all = await verifyWith(undefined);
    const one = await verifyWith(1);
    // the encodings verify hashes, as bytes in memory
    const reader = new Database(location.path, { readonly: true });
    const page = reader.prepare(ENCODED_PAGE.replaceAll(/\$\d/g, "?")).pluck();
    const buffers = [];
    for (let after = 0; ; ) {
      const rows = page.all("production", "argo", after, 4096);
      if (!rows.length) break;
      after += rows.length;
      for (const row of rows) buffers.push(Buffer.from(row.slice(64)));
    }
    reader.close();
    const oneShot = await bestOf3(buffers.length, () => {
      for (const b of buffers) hash("sha256", b, "hex");
    });
    return { records: LONG_RECORDS, verify: all.rate, threads: all.threads, oneThread: one.rate, oneShot };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function asPostgres(command, args) {
  const [file, argv] =
    process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** This process's CPU time and that of the server's processes (the postmaster and its children), in ms. */
function postgresCpu(data) {
  const ticks = 100; // USER_HZ on Linux
  let postmaster;
  try {
    postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return noServer;
  }
  return () => {
    let server = 0;
    for (const pid of existsSync("/proc") ? readdirSync("/proc") : []) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(pid) !== postmaster && Number(fields[1]) !== postmaster) continue;
        server += ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
      } catch {
        // the process ended meanwhile
      }
    }
    return { client: noServer().client, server };
  };
}

async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-bench-pg-"));
  if (process.getuid?.() === 0) {
    const id = (flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
    chownSync(dir, id("-u"), id("-g"));
  }
  const data = join(dir, "data");
  asPostgres(`${PG_BIN}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  asPostgres(`${PG_BIN}/pg_ctl`, ["-D", data, "-l", join(dir, "log"), "-w", "-t", "60", "-o", options, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    cpu: postgresCpu(data),
    stop() {
      try {
        asPostgres(`${PG_BIN}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** rows per part of a batch's COPY on PostgreSQL, as the store sends them (src/signals/postgres/insert.ts) */
const PG_FIRST_CHUNK = 100;
const PG_CHUNK = 150;

async function benchPostgres(lib, log) {
  const pg = require("pg");
  log("postgres: starting a server for this run");
  const server = await startPostgres();
  try {
    const store = await lib.openSignalStoreAt(
      { backend: "postgres", url: server.url, display: "bench", secrets: [] },
      { environment: "production", durability: "full" },
    );
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`CREATE TABLE plain_records ${TABLE.replaceAll("INTEGER", "bigint")}`);
    await client.query("CREATE INDEX plain_records_time ON plain_records (environment, project, time)");
    await client.query(checkpointIndex("plain_records"));
    // COPY … FROM STDIN: the fastest plain insert found (about twice json_to_recordset INSERTs of the same rows),
    // and what the store uses
    const { from: copyFrom } = require("pg-copy-streams");
    const field = (text) => (text.includes("\\") ? text.replaceAll("\\", "\\\\") : text);
    const lines = (part) => {
      let out = "";
      for (const r of part)
        out += `${field(r.environment)}\t${field(r.project)}\t${r.seq}\t${r.time}\t${field(r.release)}\t${field(r.configHash)}\t${field(r.strategy)}\t${r.kind}\t${field(payloadText(r.payload))}\t${r.prevHash}\t${r.hash}\n`;
      return out;
    };
    const plainInsert = async (rows) => {
      const started = performance.now();
      for (let i = 0; i < rows.length; i += BATCH) {
        await client.query("BEGIN");
        // the store's shape: one COPY per batch, written in parts of PG_FIRST_CHUNK, then PG_CHUNK rows, each
        // serialised while the server takes in the one before
        const copy = client.query(copyFrom(`COPY plain_records (${COLUMNS}) FROM STDIN`));
        const finished = once(copy, "finish");
        const end = Math.min(i + BATCH, rows.length);
        for (let at = i; at < end; at += at === i ? PG_FIRST_CHUNK : PG_CHUNK) {
          if (!copy.write(lines(rows.slice(at, Math.min(at + (at === i ? PG_FIRST_CHUNK : PG_CHUNK), end)))))
            await once(copy, "drain");
          else await new Promise(setImmediate);
        }
        copy.end();
        await finished;
        await client.query("COMMIT");
      }
      return perSecond(rows.length, performance.now() - started);
    };
    const appends = await appendRounds(store, PG_RECORDS, plainInsert, log, "postgres", server.cpu);
    await client.end();

    log("postgres: verify, and raw SHA-256 over the same bytes");
    const verify = await timeVerify(store, "argo-0", PG_RECORDS);
    const raw = rawHashRates(lib, await chainRows(store, "argo-0"));
    await store.close();
    // as verify reads a PostgreSQL chain: binary COPY of each half on its own connection, one exported snapshot
    const { to: copyTo } = require("pg-copy-streams");
    const readers = [new pg.Client({ connectionString: server.url }), new pg.Client({ connectionString: server.url })];
    for (const c of readers) await c.connect();
    const text = ENCODED_PAGE.replaceAll("char(10)", "E'\\n'")
      .replace("signal_records", "tradeops.signal_records")
      .replace("$1", "'production'")
      .replace("$2", "'argo-0'");
    const copyHalf = async (c, after, through) => {
      let bytes = 0;
      const range = `${after} AND seq <= ${through}`;
      const sql = `COPY (${text.replace("$3", range).replace("LIMIT $4", "")}) TO STDOUT (FORMAT binary)`;
      for await (const chunk of c.query(copyTo(sql))) bytes += chunk.length;
      return bytes;
    };
    const middle = Math.floor(PG_RECORDS / 2);
    const readOnly = await bestOf3(PG_RECORDS, async () => {
      await readers[0].query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const snapshot = (await readers[0].query("SELECT pg_export_snapshot() AS id")).rows[0].id;
      await readers[1].query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await readers[1].query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      await Promise.all([copyHalf(readers[0], 0, middle), copyHalf(readers[1], middle, PG_RECORDS)]);
      for (const c of readers) await c.query("COMMIT");
    });
    for (const c of readers) await c.end();
    return { ...appends, verify, readOnly, raw };
  } finally {
    server.stop();
  }
}

/** a backend left out by BENCH_SIGNALS_ONLY: every ratio 0, so its targets show as missed */
const NOT_MEASURED = {
  append: 0,
  plainInsert: 1,
  plainInsertRows: 1,
  verify: 0,
  readOnly: 1,
  raw: { oneShot: 1, createHash: 0, stream: 0, bytesPerRecord: 0 },
  long: { records: 0, verify: 0, threads: 0, oneThread: 0, oneShot: 1 },
  cpuPerRecordUs: { chain: { client: 0, server: 0 }, plain: { client: 0, server: 0 } },
  notMeasured: true,
};

/** The CPU each append side spent per record: a comparison of work that other load on the machine disturbs less. */
function cpuNote(label, { cpuPerRecordUs: { chain, plain }, pairedRatios = [] }) {
  const total = (c) => Math.round((c.client + c.server) * 100) / 100;
  const work = total(chain) ? Math.round((total(plain) / total(chain)) * 1000) / 1000 : 0;
  return `${label} append CPU per record (median of rounds): chain ${chain.client} µs here + ${chain.server} µs server, plain ${plain.client} + ${plain.server} µs (plain's work ÷ chain's: ×${work}); chain ÷ plain round by round: ${pairedRatios.map((r) => `×${r}`).join(", ")}`;
}

export async function run({ log }) {
  const library = process.env.BENCH_LIBRARY ?? join(root, "dist/index.js");
  const lib = await import(pathToFileURL(library).href);
  if (typeof lib.openSignalStoreAt !== "function") throw new Error(`${library} does not export the signal log`);
  log(DURABILITY);
  const sqlite = ONLY === "postgres" ? NOT_MEASURED : await benchSqlite(lib, log);
  const postgres = ONLY === "sqlite" ? NOT_MEASURED : await benchPostgres(lib, log);
  const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;
  const r = {
    sqliteAppend: ratio(sqlite.append, sqlite.plainInsert),
    sqliteVerify: ratio(sqlite.long.verify, sqlite.long.oneShot),
    pgAppend: ratio(postgres.append, postgres.plainInsert),
    pgVerify: ratio(postgres.verify, postgres.raw.oneShot),
  };
  const label = {
    sqliteAppend: "sqlite append vs plain insert",
    sqliteVerify: "sqlite verify of a long chain vs one-shot SHA-256",
    pgAppend: "postgres append vs plain insert",
    pgVerify: "postgres verify vs one-shot SHA-256",
  };
  const mb = (store, rate) => `${mbps(rate, store.raw.bytesPerRecord)} MB/s`;
  const notes = [
    DURABILITY,
    `sqlite append ${sqlite.append}/s (${mb(sqlite, sqlite.append)}) with the chain vs ${sqlite.plainInsert}/s (${mb(sqlite, sqlite.plainInsert)}) plain (×${r.sqliteAppend}, target ×${TARGETS.sqliteAppend}); plain insert of prebuilt rows ${sqlite.plainInsertRows}/s (chain ×${ratio(sqlite.append, sqlite.plainInsertRows)})`,
    `sqlite verify of a long chain (${sqlite.long.records} records): ${sqlite.long.verify}/s on ${sqlite.long.threads} threads vs raw SHA-256 ${sqlite.long.oneShot}/s one-shot (×${r.sqliteVerify}, target ×${TARGETS.sqliteVerify}); on one thread ${sqlite.long.oneThread}/s (×${ratio(sqlite.long.oneThread, sqlite.long.oneShot)})`,
    `sqlite verify ${sqlite.verify}/s (${mb(sqlite, sqlite.verify)}) of ${SQLITE_RECORDS} records vs raw SHA-256 ${sqlite.raw.oneShot}/s (${mb(sqlite, sqlite.raw.oneShot)}) one-shot (×${ratio(sqlite.verify, sqlite.raw.oneShot)}), ${sqlite.raw.createHash}/s createHash; reading the same pages without hashing ${sqlite.readOnly}/s (verify ×${ratio(sqlite.verify, sqlite.readOnly)} of it)`,
    `postgres append ${postgres.append}/s (${mb(postgres, postgres.append)}) with the chain vs ${postgres.plainInsert}/s (${mb(postgres, postgres.plainInsert)}) plain (×${r.pgAppend}, target ×${TARGETS.pgAppend}); plain insert of prebuilt rows ${postgres.plainInsertRows}/s (chain ×${ratio(postgres.append, postgres.plainInsertRows)})`,
    cpuNote("sqlite", sqlite),
    cpuNote("postgres", postgres),
    `postgres verify ${postgres.verify}/s (${mb(postgres, postgres.verify)}) vs raw SHA-256 ${postgres.raw.oneShot}/s (${mb(postgres, postgres.raw.oneShot)}) one-shot (×${r.pgVerify}, target ×${TARGETS.pgVerify}); reading the same rows (binary COPY, two halves at once) without hashing ${postgres.readOnly}/s (verify ×${ratio(postgres.verify, postgres.readOnly)} of it)`,
  ];
  const missed = Object.keys(TARGETS)
    .filter((k) => r[k] < TARGETS[k])
    .map((k) => `${label[k]} ×${r[k]} < ×${TARGETS[k]}`);
  if (sqlite.append < APPEND_TARGET) missed.push(`sqlite append ${sqlite.append}/s < ${APPEND_TARGET}/s`);
  return {
    name: "signals",
    target: `SQLite append ≥ ${APPEND_TARGET.toLocaleString("en-US")} records/s and ≥ ×${TARGETS.sqliteAppend} plain, verify ≥ ×${TARGETS.sqliteVerify} SHA-256; PostgreSQL append ≥ ×${TARGETS.pgAppend} plain, verify ≥ ×${TARGETS.pgVerify}`,
    unit: "records/s",
    baseline: { label: "sqlite plain insert", median: sqlite.plainInsert },
    measured: { label: "sqlite chain append", median: sqlite.append },
    ratio: r.sqliteAppend,
    pass: missed.length === 0,
    missedBy: missed.join("; ") || undefined,
    notes,
    details: {
      durability: DURABILITY,
      batch: BATCH,
      records: { sqlite: SQLITE_RECORDS, postgres: PG_RECORDS },
      ratios: r,
      targets: TARGETS,
      sqlite,
      postgres,
    },
  };
}
