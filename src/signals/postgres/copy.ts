/**
 * Verify's reading of a PostgreSQL chain: `hash + encoding` rows through `COPY … TO STDOUT (FORMAT binary)`, so
 * each row reaches the hash as the bytes the server sent (no protocol message, field array or string per row).
 */
import type { PoolClient } from "pg";
import { newScanState, type ScanState, scanBytes } from "../scan.js";

/** "PGCOPY\n\xff\r\n\0", then 32-bit flags and the length of a header extension */
const HEADER = 19;

/**
 * Runs a COPY of one-column `hash + encoding` rows (ordered by seq) and scans every row.
 * @throws Error when the server fails the COPY or sends what a one-column binary COPY cannot hold
 */
export async function copyScan(client: PoolClient, copySql: string): Promise<ScanState> {
  const { default: streams } = await import("pg-copy-streams");
  const state = newScanState();
  let rest: Buffer | undefined;
  let headerDone = false;
  let ended = false;
  // read to the end even past a row it cannot use, so the connection is left ready for its next query
  let unreadable = false;
  for await (const data of client.query(streams.to(copySql)) as AsyncIterable<Buffer>) {
    const chunk = rest ? Buffer.concat([rest, data]) : data;
    rest = undefined;
    let at = 0;
    if (!headerDone) {
      if (chunk.length < HEADER || chunk.length < HEADER + chunk.readUInt32BE(HEADER - 4)) {
        rest = chunk;
        continue;
      }
      at = HEADER + chunk.readUInt32BE(HEADER - 4);
      headerDone = true;
    }
    while (!ended && at + 2 <= chunk.length) {
      const fields = chunk.readInt16BE(at);
      if (fields === -1) {
        ended = true;
        break;
      }
      if (at + 6 > chunk.length) break;
      const length = Math.max(0, chunk.readInt32BE(at + 2));
      if (at + 6 + length > chunk.length) break;
      if (fields === 1 && chunk.readInt32BE(at + 2) >= 0) scanBytes(chunk, at + 6, at + 6 + length, state);
      else unreadable = true;
      at += 6 + length;
    }
    if (at < chunk.length && !ended) rest = chunk.subarray(at);
  }
  if (unreadable) throw new Error("the server sent a row verify cannot read (a NULL hash?)");
  if (!ended) throw new Error("the COPY of the chain ended early");
  return state;
}
