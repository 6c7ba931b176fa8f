/**
 * Records as text: CSV (RFC 4180, the payload as its exact canonical JSON text, so the export can be verified
 * byte for byte) and JSON lines (the payload embedded as JSON; re-canonicalising it gives back the stored text).
 */
import { TroError } from "../errors.js";
import type { SignalRecord } from "./types.js";

export const CSV_HEADER = "seq,time,environment,project,release,config_hash,strategy,kind,payload,prev_hash,hash";

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (no line break) in CSV_HEADER order. */
export function recordToCsv(r: SignalRecord): string {
  return [
    r.seq,
    r.time,
    r.environment,
    r.project,
    r.release,
    r.configHash,
    r.strategy,
    r.kind,
    r.payload,
    r.prevHash,
    r.hash,
  ]
    .map(csvField)
    .join(",");
}

/** One JSON line (no line break); the payload is the stored canonical JSON, embedded as it is. */
export function recordToJsonLine(r: SignalRecord): string {
  const { payload, ...rest } = r;
  return `${JSON.stringify(rest).slice(0, -1)},"payload":${payload}}`;
}

/** One line for people: time, project, sequence number, kind, strategy, payload, then release@colour and token. */
export function recordToText(r: SignalRecord): string {
  const { color, token } = nodeFields(r.payload);
  const release = r.release ? `  release ${r.release}${color ? `@${color}` : ""}` : color ? `  @${color}` : "";
  const fence = token !== undefined ? `  token ${token}` : "";
  return `${r.time}  ${r.project}  #${r.seq}  ${r.kind}${r.strategy ? `  ${r.strategy}` : ""}  ${r.payload}${release}${fence}`;
}

/** The colour and fencing token a trading node puts in every payload, when it did. */
function nodeFields(payload: string): { color?: string; token?: number } {
  if (!payload.includes('"token"') && !payload.includes('"color"')) return {};
  try {
    const p = JSON.parse(payload) as { color?: unknown; token?: unknown };
    return {
      ...(typeof p.color === "string" ? { color: p.color } : {}),
      ...(typeof p.token === "number" ? { token: p.token } : {}),
    };
  } catch {
    return {};
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An inclusive time bound from `--from`/`--to`: a date (UTC; as `to` it covers the whole day) or a date and time
 * (UTC unless it names an offset).
 * @throws TroError TRO_ERR_USAGE for anything else
 */
export function parseTimeBound(text: string, side: "from" | "to"): string {
  const value = text.trim();
  let date: Date | undefined;
  if (DATE_ONLY.test(value)) {
    date = new Date(`${value}T00:00:00.000Z`);
    if (side === "to" && !Number.isNaN(date.getTime())) date = new Date(date.getTime() + 86_400_000 - 1);
  } else if (DATE_TIME.test(value)) {
    const iso = value.replace(" ", "T");
    date = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  }
  if (!date || Number.isNaN(date.getTime()))
    throw new TroError("TRO_ERR_USAGE", `--${side} ${JSON.stringify(text)} is not a date or a date and time.`, {
      hint: "Use 2025-01-31 (UTC) or 2025-01-31T14:30:00Z.",
    });
  return date.toISOString();
}
