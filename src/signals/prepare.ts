/**
 * From what a caller appends to what is hashed and stored: inputs are validated and normalised once (canonical
 * payload, ISO time, no control characters in text fields), then chained onto a tip inside the writer's lock.
 * The store checks every field of a batch first and writes each payload canonically only as it is chained, so a
 * database inserts one chunk while the next is written and hashed; a payload refused there rolls the batch back.
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

/** An input whose fields passed; its payload is written canonically when it is chained. */
export interface CheckedInput extends Omit<PreparedInput, "payload"> {
  /** the caller's payload value */
  readonly value: unknown;
  /** where it was in the caller's batch, for the message if its payload is refused */
  readonly index: number;
  readonly total: number;
}

/** What a backend chains: prepared (its payload already canonical text) or checked. */
export type ChainInput = PreparedInput | CheckedInput;

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

/** The payload as canonical JSON text. */
function canonicalPayload(value: unknown, index: number, total: number): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    const at = error.path.startsWith("[") || !error.path ? error.path : `.${error.path}`;
    return refuse(index, total, `payload${at} ${error.reason}`);
  }
}

/** Every field of one input but its payload, checked and normalised. */
function checkFields(input: SignalInput, i: number, total: number, now: string): Omit<PreparedInput, "payload"> {
  if (!SIGNAL_KINDS.includes(input.kind))
    refuse(i, total, `kind must be one of ${SIGNAL_KINDS.join(", ")}, got ${JSON.stringify(input.kind)}`);
  let time = now;
  if (input.time !== undefined) {
    const normalized = normalizeTime(input.time);
    if (!normalized) refuse(i, total, "time is not a valid date between years 0 and 9999");
    time = normalized;
  }
  return {
    project: text(input.project, "project", i, total, true),
    kind: input.kind,
    time,
    release: text(input.release, "release", i, total, false),
    configHash: text(input.configHash, "configHash", i, total, false),
    strategy: text(input.strategy, "strategy", i, total, false),
  };
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
    const fields = checkFields(input, i, total, now);
    out[i] = { ...fields, payload: canonicalPayload(input.payload, i, total) };
  }
  return out;
}

/**
 * Validates every field but the payloads (written and checked as they are chained).
 * @throws TroError TRO_ERR_USAGE naming the record and the field
 */
export function checkInputs(inputs: readonly SignalInput[], now: string): CheckedInput[] {
  const total = inputs.length;
  const out: CheckedInput[] = new Array(total);
  for (let i = 0; i < total; i++) {
    const input = inputs[i]!;
    const fields = checkFields(input, i, total, now);
    out[i] = {
      project: fields.project,
      kind: fields.kind,
      time: fields.time,
      release: fields.release,
      configHash: fields.configHash,
      strategy: fields.strategy,
      value: input.payload,
      index: i,
      total,
    };
  }
  return out;
}

/** Inputs with their payloads written canonically (done early: while a database answers something else). */
export function writePayloads(inputs: readonly ChainInput[]): PreparedInput[] {
  return inputs.map((input) =>
    "value" in input
      ? {
          project: input.project,
          kind: input.kind,
          payload: canonicalPayload(input.value, input.index, input.total),
          time: input.time,
          release: input.release,
          configHash: input.configHash,
          strategy: input.strategy,
        }
      : input,
  );
}

/**
 * Chains inputs of one project onto a tip (undefined: a new chain).
 * @throws TroError TRO_ERR_USAGE when a checked input's payload cannot be written canonically
 */
export function chainRecords(
  environment: string,
  tip: ChainTip | undefined,
  inputs: readonly ChainInput[],
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
      payload: "value" in input ? canonicalPayload(input.value, input.index, input.total) : input.payload,
      prevHash,
      hash: "",
    };
    record.hash = sha256Hex(encodeRecord(record));
    records[i] = record;
    prevHash = record.hash;
  }
  return records;
}
