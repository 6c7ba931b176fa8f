/**
 * What a SQLite signal store must still hold to be trusted, beyond the hashes: its tables, the triggers that make
 * it append-only, and a head for every chain that ever held records (the high-water mark only rises).
 */
import type BetterSqlite3 from "better-sqlite3";
import type { IntegrityFinding } from "../types.js";
import { REQUIRED_TRIGGERS } from "./schema.js";

const TABLES = ["signal_meta", "signal_records", "signal_chains", "signal_prune_grants"];

/** Every integrity problem of one environment's chains in the store. */
export function sqliteIntegrity(db: BetterSqlite3.Database, environment: string): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  const names = (type: string) =>
    new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = ?").pluck().all(type) as string[]);
  const tables = names("table");
  for (const table of TABLES)
    if (!tables.has(table)) findings.push({ reason: "table-missing", detail: `the table ${table} is missing` });
  const version = tables.has("signal_meta")
    ? Number(db.prepare("SELECT value FROM signal_meta WHERE key = 'schema_version'").pluck().get() ?? 0)
    : 0;
  const triggers = names("trigger");
  for (const trigger of REQUIRED_TRIGGERS) {
    if (trigger.startsWith("signal_high_water") && version < 2) continue;
    if (!triggers.has(trigger))
      findings.push({
        reason: "trigger-dropped",
        detail: `the append-only trigger ${trigger} is missing: records could have been changed or deleted unseen`,
      });
  }
  if (!tables.has("signal_high_water")) {
    if (version >= 2) findings.push({ reason: "table-missing", detail: "the table signal_high_water is missing" });
    return findings;
  }
  const marks = db
    .prepare("SELECT project, seq FROM signal_high_water WHERE environment = ? ORDER BY project")
    .raw()
    .all(environment) as [string, number][];
  const heads = tables.has("signal_chains")
    ? new Map(
        db.prepare("SELECT project, head_seq FROM signal_chains WHERE environment = ?").raw().all(environment) as [
          string,
          number,
        ][],
      )
    : new Map<string, number>();
  for (const [project, seq] of marks) {
    const head = heads.get(project);
    if (head === undefined)
      findings.push({
        project,
        reason: "records-wiped",
        detail: `the chain once held records through ${seq}, and its head is gone`,
      });
    else if (head < seq)
      findings.push({
        project,
        reason: "head-lowered",
        detail: `the chain once reached record ${seq}; its head now says ${head}`,
      });
  }
  return findings;
}
