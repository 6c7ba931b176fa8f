/**
 * Both backends for the same tests: a fresh SQLite file in a temporary directory, or a fresh database on the
 * run's real PostgreSQL server; plus raw SQL on the same database, the way an attacker or an operator would use it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { type OpenSignalStoreOptions, openSignalStoreAt } from "../../src/signals/index.js";
import type { StoreLocation } from "../../src/signals/setting.js";
import type { SignalInput, SignalStore } from "../../src/signals/types.js";
import { createDatabase } from "../helpers/postgres.js";

export type BackendName = "sqlite" | "postgres";
export const BACKENDS: readonly BackendName[] = ["sqlite", "postgres"];

export interface TestBackend {
  readonly name: BackendName;
  readonly location: StoreLocation;
  /** the records table and the heads table, as raw SQL names them */
  readonly records: string;
  readonly heads: string;
  open(options?: Partial<Omit<OpenSignalStoreOptions, "workspace">>): Promise<SignalStore>;
  /** raw SQL with `?` placeholders; returns rows as objects */
  sql(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** removes the append-only triggers, as someone with full database access could */
  dropTriggers(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh, empty store location on a backend. */
export async function freshBackend(name: BackendName): Promise<TestBackend> {
  const stores: SignalStore[] = [];
  const open = async (options: Partial<Omit<OpenSignalStoreOptions, "workspace">> = {}) => {
    const store = await openSignalStoreAt(location, { environment: "development", ...options });
    stores.push(store);
    return store;
  };
  let location: StoreLocation;
  if (name === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "tradeops-signals-"));
    const path = join(dir, "signals.db");
    location = { backend: "sqlite", path, display: path };
    let db: Database.Database | undefined;
    const handle = () => (db ??= new Database(path));
    return {
      name,
      location,
      records: "signal_records",
      heads: "signal_chains",
      open,
      async sql(text, params = []) {
        const statement = handle().prepare(text);
        if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
        statement.run(...params);
        return [];
      },
      async dropTriggers() {
        for (const t of [
          "signal_records_no_update",
          "signal_records_no_delete",
          "signal_chains_forward",
          "signal_chains_no_delete",
        ])
          handle().exec(`DROP TRIGGER ${t}`);
      },
      async close() {
        for (const s of stores) await s.close();
        db?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createDatabase("signals");
  location = { backend: "postgres", url, display: url, secrets: [] };
  const client = new pg.Client({ connectionString: url });
  let connected = false;
  const sql = async (text: string, params: readonly unknown[] = []) => {
    if (!connected) {
      await client.connect();
      connected = true;
    }
    let n = 0;
    return (
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        [...params],
      )
    ).rows as Record<string, unknown>[];
  };
  return {
    name,
    location,
    records: "tradeops.signal_records",
    heads: "tradeops.signal_chains",
    open,
    sql,
    async dropTriggers() {
      for (const [trigger, table] of [
        ["signal_records_append_only", "signal_records"],
        ["signal_records_no_truncate", "signal_records"],
        ["signal_chains_forward", "signal_chains"],
        ["signal_chains_no_truncate", "signal_chains"],
      ])
        await sql(`DROP TRIGGER ${trigger} ON tradeops.${table}`);
    },
    async close() {
      for (const s of stores) await s.close();
      if (connected) await client.end();
    },
  };
}

/** `count` signal records for a project, each payload different. */
export function signals(project: string, count: number, from = 0): SignalInput[] {
  return Array.from({ length: count }, (_, i) => ({
    project,
    kind: "signal" as const,
    strategy: "sma-cross",
    release: "20250101T000000Z-abc1234",
    configHash: "c".repeat(64),
    payload: { symbol: "AAPL", side: (from + i) % 2 ? "buy" : "sell", price: 187.25 + (from + i) / 100, n: from + i },
  }));
}
