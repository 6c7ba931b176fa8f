/** The SQL both SQLite connections use (the writer and the read-only snapshot), prepared once per connection. */
import type BetterSqlite3 from "better-sqlite3";
import { RECORD_COLUMNS } from "../backend.js";
import { ENCODING_VERSION } from "../encoding.js";

const COLUMNS = RECORD_COLUMNS.join(", ");
const CHAIN = "environment = ? AND project = ?";
/** `hash + encoding` in one string: the cheapest shape for verify (see encoding.ts for the encoding) */
const ENCODED = `hash || concat_ws(char(10), '${ENCODING_VERSION}', prev_hash, seq, time, environment, project, release, config_hash, strategy, kind, payload)`;

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/** `hash + encoding` strings of one range of a chain (after, through], a page at a time: verify's chunks */
export function encodedRangeStatement(db: BetterSqlite3.Database): Statement {
  return db
    .prepare(`SELECT ${ENCODED} FROM signal_records WHERE ${CHAIN} AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`)
    .pluck();
}

/** the first record's sequence number and hash: a second connection checks it sees the same chain start */
export function chainStartStatement(db: BetterSqlite3.Database): Statement {
  return db.prepare(`SELECT seq, hash FROM signal_records WHERE ${CHAIN} ORDER BY seq LIMIT 1`).raw();
}
export type ReadStatements = Record<
  "first" | "last" | "tip" | "anchor" | "encoded" | "range" | "checkpoints" | "firstYoung" | "cutRecord" | "projects",
  Statement
>;
export type WriteStatements = Record<"insert" | "anchor" | "grant" | "revoke" | "deleteThrough", Statement>;

/** Reading statements, valid on a read-only connection. */
export function readStatements(db: BetterSqlite3.Database): ReadStatements {
  return {
    first: db.prepare(`SELECT ${COLUMNS} FROM signal_records WHERE ${CHAIN} ORDER BY seq LIMIT 1`).raw(),
    last: db.prepare(`SELECT ${COLUMNS} FROM signal_records WHERE ${CHAIN} ORDER BY seq DESC LIMIT 1`).raw(),
    tip: db.prepare(`SELECT seq, hash FROM signal_records WHERE ${CHAIN} ORDER BY seq DESC LIMIT 1`).raw(),
    anchor: db.prepare(`SELECT head_seq, head_hash FROM signal_chains WHERE ${CHAIN}`).raw(),
    encoded: db
      .prepare(`SELECT ${ENCODED} FROM signal_records WHERE ${CHAIN} AND seq > ? ORDER BY seq LIMIT ?`)
      .pluck(),
    range: db
      .prepare(`SELECT ${COLUMNS} FROM signal_records WHERE ${CHAIN} AND seq >= ? AND seq <= ? ORDER BY seq`)
      .raw(),
    checkpoints: db
      .prepare(
        `SELECT ${COLUMNS} FROM signal_records INDEXED BY signal_records_checkpoints
         WHERE ${CHAIN} AND kind = 'checkpoint' ORDER BY seq`,
      )
      .raw(),
    firstYoung: db.prepare(`SELECT seq FROM signal_records WHERE ${CHAIN} AND time >= ? ORDER BY seq LIMIT 1`).pluck(),
    cutRecord: db.prepare(`SELECT hash, time FROM signal_records WHERE ${CHAIN} AND seq = ?`).raw(),
    // a loose index scan: one index probe per project instead of reading every record
    projects: db
      .prepare(
        `WITH RECURSIVE p(project) AS (
           SELECT min(project) FROM signal_records WHERE environment = @env
           UNION ALL
           SELECT (SELECT min(project) FROM signal_records WHERE environment = @env AND project > p.project)
           FROM p WHERE p.project IS NOT NULL)
         SELECT project FROM p WHERE project IS NOT NULL
         UNION SELECT project FROM signal_chains WHERE environment = @env
         ORDER BY 1`,
      )
      .pluck(),
  };
}

/** Writing statements (the writer connection only). */
export function writeStatements(db: BetterSqlite3.Database): WriteStatements {
  return {
    insert: db.prepare(`INSERT INTO signal_records (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    anchor: db.prepare(
      `INSERT INTO signal_chains (environment, project, head_seq, head_hash) VALUES (?, ?, ?, ?)
       ON CONFLICT(environment, project) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`,
    ),
    grant: db.prepare("INSERT INTO signal_prune_grants (environment, project, through_seq) VALUES (?, ?, ?)"),
    revoke: db.prepare(`DELETE FROM signal_prune_grants WHERE ${CHAIN}`),
    deleteThrough: db.prepare(`DELETE FROM signal_records WHERE ${CHAIN} AND seq <= ?`),
  };
}
