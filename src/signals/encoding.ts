/**
 * The bytes each record's SHA-256 is computed over (docs/signals.md, "Canonical encoding"): a version line, the
 * previous record's hash, then the fields in a fixed order, one per line, the canonical JSON payload last:
 *
 *   tradeops.signal.v1 \n prev_hash \n seq \n time \n environment \n project \n release \n config_hash \n
 *   strategy \n kind \n payload
 *
 * encoded as UTF-8. No field but the payload may contain a control character, and the payload is canonical JSON,
 * which has none, so the lines are unambiguous. The previous hash sits at a fixed offset, which lets verify check
 * links without splitting the line.
 */
import { hash } from "node:crypto";
import type { RecordKind, SignalRecord } from "./types.js";

export const ENCODING_VERSION = "tradeops.signal.v1";
/** the previous hash of a chain's first record */
export const GENESIS_HASH = "0".repeat(64);
/** offsets of prev_hash and seq inside an encoding */
export const PREV_HASH_AT = ENCODING_VERSION.length + 1;
export const SEQ_AT = PREV_HASH_AT + 65;

/** The record fields that are hashed, in encoding order. */
export interface HashedFields {
  readonly prevHash: string;
  readonly seq: number;
  readonly time: string;
  readonly environment: string;
  readonly project: string;
  readonly release: string;
  readonly configHash: string;
  readonly strategy: string;
  readonly kind: RecordKind;
  readonly payload: string;
}

/** The canonical encoding of a record (the text whose UTF-8 bytes are hashed). */
export function encodeRecord(r: HashedFields): string {
  return `${ENCODING_VERSION}\n${r.prevHash}\n${r.seq}\n${r.time}\n${r.environment}\n${r.project}\n${r.release}\n${r.configHash}\n${r.strategy}\n${r.kind}\n${r.payload}`;
}

/** Lowercase hex SHA-256 of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}

/** The hash a record must carry. */
export function recordHash(r: HashedFields): string {
  return sha256Hex(encodeRecord(r));
}

/** Whether a stored record's hash matches its fields. */
export function isIntact(r: SignalRecord): boolean {
  return recordHash(r) === r.hash;
}
