/**
 * The embedded backend: one SQLite file in WAL mode (readers never block the writer). Appends run in
 * `BEGIN IMMEDIATE` transactions, so a second process appending to the same chain waits for the lock and then
 * chains onto the record the first one wrote; it can never fork the chain.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { TroError } from "../../errors.js";
import type { Backend, PruneOutcome, PruneRequest } from "../backend.js";
import { type ChainInput, chainRecords } from "../prepare.js";
import type { ChainKey, ChainTip, Durability, ReadQuery, SignalRecord } from "../types.js";
import { sqliteIntegrity } from "./integrity.js";
import { readStatements, writeStatements } from "./queries.js";
import { readPages, sqliteReader } from "./read.js";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./schema.js";

/** how long a writer waits for another process's transaction before it gives up */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** larger pages suit records of a few hundred bytes (set only when the file is created) */
const PAGE_SIZE = 16_384;

export interface SqliteBackendOptions {
  readonly path: string;
  /** how the store is named in messages (the path as the manifest gives it) */
  readonly display: string;
  readonly readOnly: boolean;
  /** when false, a missing file is an error instead of a new store */
  readonly create: boolean;
  readonly durability: Durability;
  /** threads verify may hash a long chain on (default: the cores, at most 4; 1: the calling thread only) */
  readonly verifyThreads?: number;
}

const requireCjs = createRequire(import.meta.url);

/** Wraps a database error into the one-sentence store error. */
export function storeError(display: string, what: string, error: unknown): TroError {
  const reason = String((error as Error)?.message ?? error)
    .split("\n")[0]!
    .replace(/\.$/, "");
  return new TroError("TRO_ERR_SIGNALS_STORE", `Cannot ${what} the signal store ${display}: ${reason}.`, {
    hint: "Check the path and its permissions, or environments.<env>.signals.store in tradeops.yaml.",
    cause: error,
  });
}

function chainBroken(key: ChainKey, detail: string): TroError {
  return new TroError(
    "TRO_ERR_SIGNALS_CHAIN_BROKEN",
    `The signal chain ${key.environment}/${key.project} does not end where its head says (${detail}); nothing was appended.`,
    { hint: `Run \`tradeops signals verify ${key.project} --env ${key.environment}\` to find the first bad record.` },
  );
}

function openDatabase(options: SqliteBackendOptions): BetterSqlite3.Database {
  const Database = requireCjs("better-sqlite3") as typeof BetterSqlite3;
  if ((options.readOnly || !options.create) && !existsSync(options.path))
    throw new TroError("TRO_ERR_SIGNALS_STORE", `There is no signal store at ${options.display}.`, {
      hint: "It is created when a service records its first signal; check environments.<env>.signals.store in tradeops.yaml.",
    });
  if (!options.readOnly) mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path, {
    readonly: options.readOnly,
    fileMustExist: options.readOnly,
    timeout: SQLITE_BUSY_TIMEOUT_MS,
  });
  try {
    const version = schemaVersion(db);
    if (version > SCHEMA_VERSION) throw new Error(`it was written by a newer tradeops (schema ${version})`);
    if ((options.readOnly || !options.create) && version === 0)
      throw new Error("the file holds no tradeops signal log");
    if (options.readOnly) return db;
    if (version === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
    // SQLite answers a journal-mode change with SQLITE_BUSY at once, without its busy handler, while another
    // process creates the same file: wait for that process as the busy timeout would
    whileBusy(() => db.pragma("journal_mode = WAL"));
    db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Runs `step`, retrying while SQLite reports the database busy, for at most the busy timeout. */
function whileBusy<T>(step: () => T): T {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return step();
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * Opens a SQLite signal store (creating it unless read-only).
 * @throws TroError TRO_ERR_SIGNALS_STORE when the file is missing (read-only), unreadable or not a signal store
 */
export function openSqliteBackend(options: SqliteBackendOptions): Backend {
  let db: BetterSqlite3.Database;
  try {
    db = openDatabase(options);
  } catch (error) {
    if (error instanceof TroError) throw error;
    throw storeError(options.display, "open", error);
  }
  let read: ReturnType<typeof readStatements>;
  let write: ReturnType<typeof writeStatements> | undefined;
  try {
    read = readStatements(db);
    write = options.readOnly ? undefined : writeStatements(db);
  } catch (error) {
    // a table dropped under the store: unavailable (69), never an internal error
    db.close();
    throw storeError(options.display, "open", error);
  }
  const writer = () => {
    if (!write) throw new TroError("TRO_ERR_INTERNAL", "The signal store was opened read-only.");
    return write;
  };

  function checkedTip(key: ChainKey): ChainTip | undefined {
    const tip = read.tip.get(key.environment, key.project) as [number, string] | undefined;
    const anchor = read.anchor.get(key.environment, key.project) as [number, string] | undefined;
    if (!anchor && tip) throw chainBroken(key, `records up to ${tip[0]} but no head`);
    if (anchor && (anchor[0] !== tip?.[0] || anchor[1] !== tip?.[1]))
      throw chainBroken(key, `head ${anchor[0]}, last record ${tip?.[0] ?? "none"}`);
    return tip ? { seq: tip[0], hash: tip[1] } : undefined;
  }

  function insertAll(records: readonly SignalRecord[]): void {
    const w = writer();
    // the fields are passed one by one rather than through rowFromRecord: no array per record on the append path
    for (const r of records)
      w.insert.run(
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
      );
    const last = records[records.length - 1];
    if (last) w.anchor.run(last.environment, last.project, last.seq, last.hash);
  }

  const appendTx = db.transaction((environment: string, byProject: ReadonlyMap<string, readonly ChainInput[]>) => {
    const out: SignalRecord[] = [];
    for (const [project, inputs] of byProject) {
      const records = chainRecords(environment, checkedTip({ environment, project }), inputs);
      insertAll(records);
      if (byProject.size === 1) return records;
      for (const r of records) out.push(r);
    }
    return out;
  });

  const pruneTx = db.transaction((request: PruneRequest): PruneOutcome => {
    const { environment, project } = request.key;
    const tip = checkedTip(request.key);
    const first = read.first.get(environment, project) as unknown[] | undefined;
    if (!tip || !first) return {};
    const young = read.firstYoung.get(environment, project, request.cutoff) as number | undefined;
    const through = young === undefined ? tip.seq : young - 1;
    const firstSeq = Number(first[2]);
    if (through < firstSeq) return {};
    const [throughHash, throughTime] = read.cutRecord.get(environment, project, through) as [string, string];
    const plan = { firstSeq, throughSeq: through, throughHash, throughTime };
    if (request.dryRun) return { plan };
    const w = writer();
    w.grant.run(environment, project, through);
    w.deleteThrough.run(environment, project, through);
    w.revoke.run(environment, project);
    const [checkpoint] = chainRecords(environment, tip, [request.checkpoint(plan)]);
    insertAll([checkpoint!]);
    return { plan, checkpoint };
  });

  const guard = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TroError) throw error;
      throw storeError(options.display, what, error);
    }
  };

  return {
    kind: "sqlite",
    location: `sqlite:${options.display}`,
    async append(environment, byProject) {
      return guard("append to", () => appendTx.immediate(environment, byProject));
    },
    async tip(key) {
      return guard("read", () => {
        const row = read.tip.get(key.environment, key.project) as [number, string] | undefined;
        return row ? { seq: row[0], hash: row[1] } : undefined;
      });
    },
    async chains(environment) {
      return guard("read", () =>
        (read.projects.all({ env: environment }) as string[]).map((project) => ({ environment, project })),
      );
    },
    read(key: ChainKey, query: ReadQuery, pageSize: number) {
      return readPages(db, key, query, pageSize, (error) => storeError(options.display, "read", error));
    },
    async snapshot(fn) {
      const Database = requireCjs("better-sqlite3") as typeof BetterSqlite3;
      const snap = guard("read", () => {
        const handle = new Database(options.path, {
          readonly: true,
          fileMustExist: true,
          timeout: SQLITE_BUSY_TIMEOUT_MS,
        });
        handle.exec("BEGIN");
        return handle;
      });
      try {
        const parallel = { path: options.path, busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS, threads: options.verifyThreads };
        return await fn(sqliteReader(snap, (error) => storeError(options.display, "read", error), parallel));
      } finally {
        snap.exec("COMMIT");
        snap.close();
      }
    },
    async integrity(environment) {
      return guard("read", () => sqliteIntegrity(db, environment));
    },
    async prune(request) {
      return guard("prune", () => (request.dryRun ? pruneTx(request) : pruneTx.immediate(request)));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
