/**
 * Signal records from any language as NDJSON, one record per line (`tradeops signals append`, the supervisor's
 * local endpoint): every line is checked before anything is stored, all for one project's chain, then appended
 * in one batch — all or nothing, through the same validation and store as the TypeScript runtime.
 */
import { TroError } from "../errors.js";
import { normalizeTime, prepareInputs } from "./prepare.js";
import type { SignalInput, SignalRecord, SignalStore } from "./types.js";

/** The most one append may carry (the endpoint's body limit too). */
export const NDJSON_MAX_BYTES = 16 * 1024 * 1024;
const FIELDS = new Set(["project", "kind", "payload", "release", "configHash", "strategy", "time"]);

function refuse(line: number, what: string): never {
  throw new TroError("TRO_ERR_USAGE", `Signal line ${line}: ${what}.`, {
    hint: 'One JSON object per line: {"kind":"signal","payload":{…}} with optional strategy, release, configHash, time.',
  });
}

/**
 * Reads NDJSON records for one project; blank lines are skipped, a record's own `project` must be that project.
 * @throws TroError TRO_ERR_USAGE naming the line and what is wrong with it
 */
export function parseSignalLines(text: string, project: string): SignalInput[] {
  const inputs: SignalInput[] = [];
  const lines: number[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      refuse(index + 1, `not JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) refuse(index + 1, "not a JSON object");
    const record = value as Record<string, unknown>;
    const unknown = Object.keys(record).find((k) => !FIELDS.has(k));
    if (unknown) refuse(index + 1, `unknown field \`${unknown}\``);
    if (record.project !== undefined && record.project !== project)
      refuse(index + 1, `project is ${JSON.stringify(record.project)}, but these records belong to ${project}`);
    if (!("payload" in record)) refuse(index + 1, "payload is missing");
    inputs.push({ ...(record as unknown as SignalInput), project });
    lines.push(index + 1);
  }
  // the store's own validation, with the line of the record named
  try {
    prepareInputs(inputs, normalizeTime(Date.now())!);
  } catch (error) {
    const match = error instanceof TroError ? /^Signal record (\d+) of \d+: (.*)\.$/.exec(error.message) : null;
    if (match) refuse(lines[Number(match[1]) - 1]!, match[2]!);
    throw error;
  }
  return inputs;
}

export interface AppendResult {
  readonly project: string;
  readonly environment: string;
  readonly appended: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  readonly head?: string;
}

/**
 * Parses and appends NDJSON records to one project's chain in one batch.
 * @throws TroError TRO_ERR_USAGE for a bad line (nothing stored), TRO_ERR_SIGNALS_STORE when the store fails
 */
export async function appendSignalLines(store: SignalStore, project: string, text: string): Promise<AppendResult> {
  const inputs = parseSignalLines(text, project);
  const records: readonly SignalRecord[] = await store.append(inputs);
  const last = records.at(-1);
  return {
    project,
    environment: store.environment,
    appended: records.length,
    ...(last ? { firstSeq: records[0]!.seq, lastSeq: last.seq, head: last.hash } : {}),
  };
}
