/** The SQL of the PostgreSQL backend. */
import { RECORD_COLUMNS } from "../backend.js";
import { ENCODING_VERSION } from "../encoding.js";

const T = "tradeops.signal_records";
export const COLUMNS = RECORD_COLUMNS.join(", ");
const CHAIN = "environment = $1 AND project = $2";

export const SQL = {
  lockChain: "SELECT pg_advisory_xact_lock($1, hashtext($2))",
  tip: `SELECT seq, hash FROM ${T} WHERE ${CHAIN} ORDER BY seq DESC LIMIT 1`,
  anchor: `SELECT head_seq, head_hash FROM tradeops.signal_chains WHERE ${CHAIN}`,
  first: `SELECT ${COLUMNS} FROM ${T} WHERE ${CHAIN} ORDER BY seq LIMIT 1`,
  last: `SELECT ${COLUMNS} FROM ${T} WHERE ${CHAIN} ORDER BY seq DESC LIMIT 1`,
  /** the newest record and the recorded head, in one round trip (after the lock, so it sees the latest commit) */
  tipAndAnchor: `SELECT t.seq, t.hash, c.head_seq, c.head_hash FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT seq, hash FROM ${T} WHERE ${CHAIN} ORDER BY seq DESC LIMIT 1) AS t ON true
    LEFT JOIN tradeops.signal_chains AS c ON c.environment = $1 AND c.project = $2`,
  copyRecords: `COPY ${T} (${COLUMNS}) FROM STDIN`,
  /** the snapshot of this transaction for a second connection to share; none on a standby (not every version can) */
  exportSnapshot: "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL ELSE pg_catalog.pg_export_snapshot() END",
  range: `SELECT ${COLUMNS} FROM ${T} WHERE ${CHAIN} AND seq >= $3 AND seq <= $4 ORDER BY seq`,
  checkpoints: `SELECT ${COLUMNS} FROM ${T} WHERE ${CHAIN} AND kind = 'checkpoint' ORDER BY seq`,
  firstYoung: `SELECT seq FROM ${T} WHERE ${CHAIN} AND time >= $3 ORDER BY seq LIMIT 1`,
  cutRecord: `SELECT hash, time FROM ${T} WHERE ${CHAIN} AND seq = $3`,
  deleteThrough: `DELETE FROM ${T} WHERE ${CHAIN} AND seq <= $3`,
  projects: `WITH RECURSIVE p(project) AS (
      SELECT min(project) FROM ${T} WHERE environment = $1
      UNION ALL
      SELECT (SELECT min(project) FROM ${T} WHERE environment = $1 AND project > p.project)
      FROM p WHERE p.project IS NOT NULL)
    SELECT project FROM p WHERE project IS NOT NULL
    UNION SELECT project FROM tradeops.signal_chains WHERE environment = $1
    ORDER BY 1`,
} as const;

/**
 * The COPY verify reads a chain's records `after < seq ≤ through` with (all of them without a range): one
 * `hash + encoding` column, binary (COPY takes no parameters: the environment and project come as escaped literals)
 */
export function encodedCopy(
  environment: string,
  project: string,
  range?: { readonly after: number; readonly through: number },
): string {
  const within = range ? ` AND seq > ${BigInt(range.after)} AND seq <= ${BigInt(range.through)}` : "";
  return `COPY (SELECT hash || concat_ws(E'\\n', '${ENCODING_VERSION}', prev_hash, seq, time, environment, project,
    release, config_hash, strategy, kind, payload) FROM ${T}
    WHERE environment = ${environment} AND project = ${project}${within} ORDER BY seq) TO STDOUT (FORMAT binary)`;
}

/** Moves chains' heads to the given `(environment, project, head_seq, head_hash)` rows. */
export function moveHeads(values: string): string {
  return `INSERT INTO tradeops.signal_chains (environment, project, head_seq, head_hash) VALUES ${values}
    ON CONFLICT (environment, project) DO UPDATE SET head_seq = EXCLUDED.head_seq, head_hash = EXCLUDED.head_hash`;
}
