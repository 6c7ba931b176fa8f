/**
 * From what a caller appends to what is hashed and stored: inputs are validated and normalised once (canonical
 * payload, ISO time, no control characters in text fields), then chained onto a tip inside the writer's lock.
 */
import { TroError } from "../errors.js";
import { CanonicalJsonError, canonicalJson } from "./canonical.js";
import { encodeRecord, GENESIS_HASH, sha256Hex } from "./encoding.js";
import { type ChainTip, type RecordKind, SIGNAL_KINDS, type SignalInput, type SignalRecord } from "./types.js";

/** An input that passed validation: every field is final except sequence and hashes. */
export interface PreparedInput {
  readonly project: string;
  readonly kind: RecordKind;
  readonly payload: string;
  readonly time: string;
  readonly release: string;
  readonly configHash: string;
  readonly strategy: string;
}

const MAX_FIELD = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function refuse(index: number, total: number, what: string): never {
  throw new TroError("TRO_ERR_USAGE", `Signal record ${index + 1} of ${total}: ${what}.`, {
    hint: "Records carry a project, a kind, a JSON payload and optional release, configHash, strategy and time.",
  });
}

/** the last value that passed per field: a batch usually repeats its project, release, config hash and strategy */
const lastValid = new Map<string, string>();

function text(value: unknown, field: string, index: number, total: number, required: boolean): string {
  if (typeof value === "string" && value.length && lastValid.get(field) === value) return value;
  if (value === undefined || value === null || value === "") {
    if (required) refuse(index, total, `${field} is missing`);
    return "";
  }
  if (typeof value !== "string") return refuse(index, total, `${field} must be a string, got ${typeof value}`);
  if (value.length > MAX_FIELD) refuse(index, total, `${field} is longer than ${MAX_FIELD} characters`);
  if (CONTROL.test(value) || LONE_SURROGATE.test(value))
    refuse(index, total, `${field} contains a control character or broken Unicode`);
  lastValid.set(field, value);
  return value;
}

/** An ISO time with milliseconds in UTC, as every record stores it. */
export function normalizeTime(value: Date | string | number): string | undefined {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return ISO_MS.test(iso) ? iso : undefined;
}

/**
 * Validates and normalises inputs; `now` is the time of records that carry none.
 * @throws TroError TRO_ERR_USAGE naming the record and the field
 */
export function prepareInputs(inputs: readonly SignalInput[], now: string): PreparedInput[] {
  const total = inputs.length;
  const out: PreparedInput[] = new Array(total);
  for (let i = 0; i < total; i++) {
    const input = inputs[i]!;
    if (!SIGNAL_KINDS.includes(input.kind))
      refuse(i, total, `kind must be one of ${SIGNAL_KINDS.join(", ")}, got ${JSON.stringify(input.kind)}`);
    let payload: string;
    try {
      payload = canonicalJson(input.payload);
    } catch (error) {
      if (!(error instanceof CanonicalJsonError)) throw error;
      const at = error.path.startsWith("[") || !error.path ? error.path : `.${error.path}`;
      refuse(i, total, `payload${at} ${error.reason}`);
    }
    let time = now;
    if (input.time !== undefined) {
      const normalized = normalizeTime(input.time);
      if (!normalized) refuse(i, total, "time is not a valid date between years 0 and 9999");
      time = normalized;
    }
    out[i] = {
      project: text(input.project, "project", i, total, true),
      kind: input.kind,
      payload,
      time,
      release: text(input.release, "release", i, total, false),
      configHash: text(input.configHash, "configHash", i, total, false),
      strategy: text(input.strategy, "strategy", i, total, false),
    };
  }
  return out;
}

/** Chains prepared inputs of one project onto a tip (undefined: a new chain). */
export function chainRecords(
  environment: string,
  tip: ChainTip | undefined,
  inputs: readonly PreparedInput[],
): SignalRecord[] {
  let seq = tip?.seq ?? 0;
  let prevHash = tip?.hash ?? GENESIS_HASH;
  const records: SignalRecord[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    seq += 1;
    const record = {
      seq,
      time: input.time,
      environment,
      project: input.project,
      release: input.release,
      configHash: input.configHash,
      strategy: input.strategy,
      kind: input.kind,
      payload: input.payload,
      prevHash,
      hash: "",
    };
    record.hash = sha256Hex(encodeRecord(record));
    records[i] = record;
    prevHash = record.hash;
  }
  return records;
}
