/**
 * The SQLite schema, created and migrated idempotently under the write lock. Records are append-only at the
 * database: triggers refuse every UPDATE, and every DELETE except of rows a prune has granted in the same
 * transaction (`signal_prune_grants`, the documented prune path). The head table only moves forward.
 */
import type BetterSqlite3 from "better-sqlite3";

export const SCHEMA_VERSION = 2;

const V1 = `
CREATE TABLE IF NOT EXISTS signal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signal_records (
  environment TEXT NOT NULL,
  project TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time TEXT NOT NULL,
  release TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  strategy TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (environment, project, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signal_records_checkpoints ON signal_records (environment, project, seq)
  WHERE kind = 'checkpoint';
CREATE TABLE IF NOT EXISTS signal_chains (
  environment TEXT NOT NULL,
  project TEXT NOT NULL,
  head_seq INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  PRIMARY KEY (environment, project)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signal_prune_grants (
  environment TEXT NOT NULL,
  project TEXT NOT NULL,
  through_seq INTEGER NOT NULL,
  PRIMARY KEY (environment, project)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS signal_records_no_update BEFORE UPDATE ON signal_records
BEGIN
  SELECT RAISE(ABORT, 'signal records are append-only: UPDATE is refused');
END;
CREATE TRIGGER IF NOT EXISTS signal_records_no_delete BEFORE DELETE ON signal_records
WHEN NOT EXISTS (
  SELECT 1 FROM signal_prune_grants g
  WHERE g.environment = OLD.environment AND g.project = OLD.project AND OLD.seq <= g.through_seq
)
BEGIN
  SELECT RAISE(ABORT, 'signal records are append-only: DELETE is refused (prune with tradeops signals prune)');
END;
CREATE TRIGGER IF NOT EXISTS signal_chains_forward BEFORE UPDATE ON signal_chains
WHEN NEW.head_seq <= OLD.head_seq OR NEW.environment IS NOT OLD.environment OR NEW.project IS NOT OLD.project
BEGIN
  SELECT RAISE(ABORT, 'a signal chain head only moves forward');
END;
CREATE TRIGGER IF NOT EXISTS signal_chains_no_delete BEFORE DELETE ON signal_chains
BEGIN
  SELECT RAISE(ABORT, 'signal chain heads cannot be deleted');
END;
`;

/**
 * Version 2: a high-water mark per chain that only rises, kept by triggers on the head table, so that a store
 * whose records and heads were all deleted is told apart from one that never held any (`signals verify`).
 */
const V2 = `
CREATE TABLE IF NOT EXISTS signal_high_water (
  environment TEXT NOT NULL,
  project TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (environment, project)
) WITHOUT ROWID;
INSERT OR IGNORE INTO signal_high_water (environment, project, seq)
  SELECT environment, project, head_seq FROM signal_chains;
CREATE TRIGGER IF NOT EXISTS signal_high_water_on_insert AFTER INSERT ON signal_chains
BEGIN
  INSERT INTO signal_high_water (environment, project, seq) VALUES (NEW.environment, NEW.project, NEW.head_seq)
  ON CONFLICT (environment, project) DO UPDATE SET seq = max(seq, excluded.seq);
END;
CREATE TRIGGER IF NOT EXISTS signal_high_water_on_update AFTER UPDATE ON signal_chains
BEGIN
  INSERT INTO signal_high_water (environment, project, seq) VALUES (NEW.environment, NEW.project, NEW.head_seq)
  ON CONFLICT (environment, project) DO UPDATE SET seq = max(seq, excluded.seq);
END;
CREATE TRIGGER IF NOT EXISTS signal_high_water_no_lower BEFORE UPDATE ON signal_high_water
WHEN NEW.seq < OLD.seq
BEGIN
  SELECT RAISE(ABORT, 'a signal high-water mark only rises');
END;
CREATE TRIGGER IF NOT EXISTS signal_high_water_no_delete BEFORE DELETE ON signal_high_water
BEGIN
  SELECT RAISE(ABORT, 'signal high-water marks cannot be deleted');
END;
`;

/** The triggers that make the store append-only; `signals verify` reports any that is missing. */
export const REQUIRED_TRIGGERS = [
  "signal_records_no_update",
  "signal_records_no_delete",
  "signal_chains_forward",
  "signal_chains_no_delete",
  "signal_high_water_on_insert",
  "signal_high_water_on_update",
  "signal_high_water_no_lower",
  "signal_high_water_no_delete",
] as const;

/** Migrations by the version they lead to. */
const MIGRATIONS: Readonly<Record<number, string>> = { 1: V1, 2: V2 };

/** The schema version of a database; 0 when it holds no signal log yet. */
export function schemaVersion(db: BetterSqlite3.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signal_meta'").get();
  if (!table) return 0;
  const row = db.prepare("SELECT value FROM signal_meta WHERE key = 'schema_version'").pluck().get() as
    | string
    | undefined;
  return row === undefined ? 0 : Number(row);
}

/** Brings the schema to SCHEMA_VERSION; safe to run from several processes at once. */
export function migrate(db: BetterSqlite3.Database): void {
  db.transaction(() => {
    const from = schemaVersion(db);
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!);
    if (from < SCHEMA_VERSION)
      db.prepare(
        "INSERT INTO signal_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ).run(String(SCHEMA_VERSION));
  }).immediate();
}
