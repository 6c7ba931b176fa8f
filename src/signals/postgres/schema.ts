/**
 * The PostgreSQL schema (in its own schema, `tradeops`, so it can share a database with an application).
 * Triggers refuse UPDATE, DELETE and TRUNCATE of records; the one way to delete is the prune path: a transaction
 * that sets `tradeops.prune = 'on'` (SET LOCAL), which `tradeops signals prune` does and documents. The head
 * table only moves forward. Migrations run once per version under an advisory lock.
 */
import type { PoolClient } from "pg";

export const SCHEMA_VERSION = 1;
/** advisory lock key (first int) of every tradeops signal lock; the second int names the chain or the schema */
export const LOCK_CLASS = 0x7472_6f70;
const MIGRATION_LOCK = 0;

const V1 = `
CREATE SCHEMA IF NOT EXISTS tradeops;
CREATE TABLE IF NOT EXISTS tradeops.signal_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS tradeops.signal_records (
  environment text NOT NULL,
  project text NOT NULL,
  seq bigint NOT NULL,
  time text NOT NULL,
  release text NOT NULL,
  config_hash text NOT NULL,
  strategy text NOT NULL,
  kind text NOT NULL,
  payload text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (environment, project, seq)
);
CREATE INDEX IF NOT EXISTS signal_records_time ON tradeops.signal_records (environment, project, time);
CREATE INDEX IF NOT EXISTS signal_records_checkpoints ON tradeops.signal_records (environment, project, seq)
  WHERE kind = 'checkpoint';
CREATE TABLE IF NOT EXISTS tradeops.signal_chains (
  environment text NOT NULL,
  project text NOT NULL,
  head_seq bigint NOT NULL,
  head_hash text NOT NULL,
  PRIMARY KEY (environment, project)
);
CREATE OR REPLACE FUNCTION tradeops.signal_records_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('tradeops.prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'signal records are append-only: % is refused', TG_OP
    USING HINT = 'Old records are removed only by tradeops signals prune.';
END
$fn$;
CREATE OR REPLACE FUNCTION tradeops.signal_chains_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.head_seq > OLD.head_seq
     AND NEW.environment = OLD.environment AND NEW.project = OLD.project THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a signal chain head only moves forward: % is refused', TG_OP;
END
$fn$;
DROP TRIGGER IF EXISTS signal_records_append_only ON tradeops.signal_records;
CREATE TRIGGER signal_records_append_only BEFORE UPDATE OR DELETE ON tradeops.signal_records
  FOR EACH ROW EXECUTE FUNCTION tradeops.signal_records_guard();
DROP TRIGGER IF EXISTS signal_records_no_truncate ON tradeops.signal_records;
CREATE TRIGGER signal_records_no_truncate BEFORE TRUNCATE ON tradeops.signal_records
  FOR EACH STATEMENT EXECUTE FUNCTION tradeops.signal_records_guard();
DROP TRIGGER IF EXISTS signal_chains_forward ON tradeops.signal_chains;
CREATE TRIGGER signal_chains_forward BEFORE UPDATE OR DELETE ON tradeops.signal_chains
  FOR EACH ROW EXECUTE FUNCTION tradeops.signal_chains_guard();
DROP TRIGGER IF EXISTS signal_chains_no_truncate ON tradeops.signal_chains;
CREATE TRIGGER signal_chains_no_truncate BEFORE TRUNCATE ON tradeops.signal_chains
  FOR EACH STATEMENT EXECUTE FUNCTION tradeops.signal_chains_guard();
`;

const MIGRATIONS: Readonly<Record<number, string>> = { 1: V1 };

/** The schema version of the database; 0 when it holds no signal log yet. */
export async function schemaVersion(client: PoolClient): Promise<number> {
  const table = await client.query("SELECT to_regclass('tradeops.signal_meta') AS t");
  if (!table.rows[0]?.t) return 0;
  const row = await client.query("SELECT value FROM tradeops.signal_meta WHERE key = 'schema_version'");
  return row.rows.length ? Number(row.rows[0].value) : 0;
}

/** Brings the schema to SCHEMA_VERSION; concurrent callers wait on one advisory lock. */
export async function migrate(client: PoolClient): Promise<void> {
  if ((await schemaVersion(client)) >= SCHEMA_VERSION) return;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, MIGRATION_LOCK]);
    const from = await schemaVersion(client);
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version]!);
    await client.query(
      `INSERT INTO tradeops.signal_meta (key, value) VALUES ('schema_version', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [String(Math.max(from, SCHEMA_VERSION))],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
