/**
 * Anchors: chain heads saved outside the store (a file in another system, a ticket, a log shipper), so that a
 * store rewritten end to end — every hash recomputed — is still caught by `signals verify --anchors FILE`.
 * One line per head: `ENVIRONMENT/PROJECT SEQ:HASH`; `#` starts a comment.
 */
import { appendFileSync } from "node:fs";
import { TroError } from "../errors.js";
import { readTextFile } from "../validation/read-file.js";
import type { Anchor, SignalStore } from "./types.js";

const LINE = /^([A-Za-z0-9._-]+)\/([A-Za-z0-9._-]+)\s+(\d+):([0-9a-f]{64})$/;
const VALUE = /^(\d+):([0-9a-f]{64})$/;

/** `ENV/PROJECT SEQ:HASH` for every chain's head. */
export async function currentAnchors(store: SignalStore, project?: string): Promise<string[]> {
  const lines: string[] = [];
  for (const key of project ? [{ project }] : await store.chains()) {
    const head = await store.head(key.project);
    if (head) lines.push(`${store.environment}/${key.project} ${head.seq}:${head.hash}`);
  }
  return lines;
}

/** Appends anchor lines to a file (created 0600). */
export function appendAnchors(path: string, lines: readonly string[]): void {
  if (lines.length) appendFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
}

/**
 * `--expect-head SEQ:HASH` for one project.
 * @throws TroError TRO_ERR_USAGE when the value is not SEQ:HASH (a 64-digit hex SHA-256)
 */
export function parseExpectHead(value: string, project: string): Anchor {
  const m = VALUE.exec(value.trim());
  if (!m)
    throw new TroError("TRO_ERR_USAGE", `--expect-head ${JSON.stringify(value)} is not SEQ:HASH.`, {
      hint: "Use the value `tradeops signals anchor PROJECT` printed, e.g. --expect-head 1042:3f5a…(64 hex digits).",
    });
  return { project, seq: Number(m[1]), hash: m[2]! };
}

/**
 * The anchors of one environment in a file of anchor lines (others are skipped).
 * @throws TroError TRO_ERR_USAGE when the file cannot be read or a line is not an anchor (naming file and line)
 */
export function readAnchorsFile(path: string, shown: string, environment: string): Anchor[] {
  const read = readTextFile(path);
  if (!read.ok) throw new TroError("TRO_ERR_USAGE", `The anchors file ${shown} ${read.reason}.`);
  const out: Anchor[] = [];
  for (const [i, raw] of read.text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const m = LINE.exec(line);
    if (!m)
      throw new TroError("TRO_ERR_USAGE", `${shown}:${i + 1}: not an anchor line (ENVIRONMENT/PROJECT SEQ:HASH).`, {
        hint: "Write the lines `tradeops signals anchor` prints.",
      });
    if (m[1] === environment) out.push({ project: m[2]!, seq: Number(m[3]), hash: m[4]! });
  }
  return out;
}
