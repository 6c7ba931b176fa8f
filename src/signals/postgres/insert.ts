/**
 * Writing records to PostgreSQL chains: `COPY … FROM STDIN` (the server's cheapest way in), each part of a batch
 * streamed as soon as it is chained, so the server takes in one part while the next is written and hashed here.
 * The heads move in the statement that commits (see headsSql).
 */
import { once } from "node:events";
import type { PoolClient } from "pg";
import { type ChainInput, chainRecords, writePayloads } from "../prepare.js";
import type { ChainTip, SignalRecord } from "../types.js";
import { moveHeads, SQL } from "./queries.js";

/** records per part streamed; the first part is smaller, since the server waits while it is prepared */
const PART = 150;
export const FIRST_PART = 100;
/** where the part starting at `i` ends */
const partEnd = (i: number) => (i === 0 ? FIRST_PART : i + PART);

/**
 * A field in COPY's text format. Text fields hold no control characters (refused when appended) and canonical
 * JSON writes none, so the backslash is the one character to escape.
 */
const field = (text: string) => (text.includes("\\") ? text.replaceAll("\\", "\\\\") : text);

/** Records as COPY text lines, in table column order. */
export function copyLines(records: readonly SignalRecord[]): string {
  let out = "";
  for (const r of records)
    out += `${field(r.environment)}\t${field(r.project)}\t${r.seq}\t${r.time}\t${field(r.release)}\t${field(r.configHash)}\t${field(r.strategy)}\t${r.kind}\t${field(r.payload)}\t${r.prevHash}\t${r.hash}\n`;
  return out;
}

/**
 * A chain's first part, prepared while the locks and tips are read: its payloads written and, when the tip this
 * process last wrote is known, chained onto it in advance (used only if the tip read under the lock is that one).
 */
export interface FirstPart {
  readonly inputs: readonly ChainInput[];
  readonly ahead?: { readonly tip: ChainTip; readonly records: SignalRecord[]; readonly lines: string };
}

/**
 * Prepares each chain's first part; `known` holds the tips this process wrote last.
 * @throws TroError TRO_ERR_USAGE when a payload of a first part is refused
 */
export function firstParts(
  environment: string,
  byProject: ReadonlyMap<string, readonly ChainInput[]>,
  known: ReadonlyMap<string, ChainTip>,
): Map<string, FirstPart> {
  const parts = new Map<string, FirstPart>();
  for (const [project, inputs] of byProject) {
    const first = writePayloads(inputs.slice(0, FIRST_PART));
    const tip = known.get(project);
    const records = tip && chainRecords(environment, tip, first);
    parts.set(project, {
      inputs: first,
      ...(tip && records && { ahead: { tip, records, lines: copyLines(records) } }),
    });
  }
  return parts;
}

/**
 * Chains each project's inputs onto its tip and streams them into one COPY; `first` holds the chains' first parts
 * prepared while the tips were read. The last record of each chain is its new head.
 * @throws the first error: a payload refused while chaining (the COPY is then failed), or the server's
 */
export async function insertChains(
  client: PoolClient,
  environment: string,
  tips: ReadonlyMap<string, ChainTip | undefined>,
  byProject: ReadonlyMap<string, readonly ChainInput[]>,
  first: ReadonlyMap<string, FirstPart> = new Map(),
): Promise<{ records: SignalRecord[]; heads: Map<string, ChainTip> }> {
  const { default: streams } = await import("pg-copy-streams");
  const copy = client.query(streams.from(SQL.copyRecords));
  const finished = once(copy, "finish");
  finished.catch(() => undefined); // awaited below; an early error must not go unhandled meanwhile
  const records: SignalRecord[] = [];
  const heads = new Map<string, ChainTip>();
  try {
    for (const [project, inputs] of byProject) {
      let at = tips.get(project);
      for (let i = 0; i < inputs.length; i = partEnd(i)) {
        const prepared = i === 0 ? first.get(project) : undefined;
        const ahead = prepared?.ahead && at?.seq === prepared.ahead.tip.seq && at.hash === prepared.ahead.tip.hash;
        const part = ahead
          ? prepared.ahead!.records
          : chainRecords(environment, at, prepared?.inputs ?? inputs.slice(i, partEnd(i)));
        const last = part[part.length - 1]!;
        at = { seq: last.seq, hash: last.hash };
        for (const r of part) records.push(r);
        if (!copy.write(ahead ? prepared.ahead!.lines : copyLines(part))) await once(copy, "drain");
        // let the connection read the server's answer and send what is written while the next part is chained
        else await new Promise(setImmediate);
      }
      if (at) heads.set(project, at);
    }
  } catch (error) {
    copy.destroy(error as Error); // fails the COPY on the server
    await finished.catch(() => undefined);
    throw error;
  }
  copy.end();
  await finished;
  return { records, heads };
}

/** The statement that moves the chains' heads (literals: it is sent with the COMMIT, in one round trip). */
export function headsSql(client: PoolClient, environment: string, heads: ReadonlyMap<string, ChainTip>): string {
  const env = client.escapeLiteral(environment);
  const values = [...heads].map(
    ([project, head]) => `(${env}, ${client.escapeLiteral(project)}, ${head.seq}, ${client.escapeLiteral(head.hash)})`,
  );
  return values.length ? moveHeads(values.join(", ")) : "";
}
