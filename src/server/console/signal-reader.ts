/**
 * The environment's signal log, read for the console: one read-only handle opened on first use and kept
 * (a second reader never blocks the writer), searched newest first with filters and a bounded scan, followed
 * for the live stream, and verified on request.
 */
import { TroError } from "../../errors.js";
import { type FollowOptions, followRecords } from "../../signals/follow.js";
import { openSignalStoreAt, signalStoreLocation } from "../../signals/open.js";
import type { SignalRecord, SignalStore, VerifyReport } from "../../signals/types.js";
import type { ConsoleContext } from "./context.js";

/** At most this many records are looked at to answer one search page. */
export const SEARCH_SCAN_LIMIT = 50_000;
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1_000;

export interface SignalQuery {
  readonly project?: string;
  readonly kind?: string;
  /** text the payload, strategy or release contains (case-insensitive) */
  readonly q?: string;
  readonly from?: string;
  readonly to?: string;
  /** page: records with a sequence number below this (per project when one is given) */
  readonly before?: number;
  readonly limit?: number;
}

export interface SignalPage {
  readonly store: string;
  readonly records: readonly SignalView[];
  /** pass as `before` for the next (older) page; null at the end */
  readonly nextBefore: number | null;
}

/** A record with its payload parsed, as the API shows it. */
export type SignalView = Omit<SignalRecord, "payload"> & { readonly payload: unknown };

export function viewOf(r: SignalRecord): SignalView {
  let payload: unknown = r.payload;
  try {
    payload = JSON.parse(r.payload);
  } catch {
    // shown as stored
  }
  return { ...r, payload };
}

export interface SignalReader {
  search(query: SignalQuery): Promise<SignalPage>;
  verify(project?: string): Promise<VerifyReport & { store: string }>;
  follow(options: Omit<FollowOptions, "after">): AsyncGenerator<SignalRecord[]>;
  /** every record of the chains asked for, oldest first, page by page */
  all(project?: string): AsyncGenerator<readonly SignalRecord[]>;
  close(): Promise<void>;
}

export function createSignalReader(ctx: Pick<ConsoleContext, "workspace" | "environment" | "env">): SignalReader {
  let opened: Promise<SignalStore> | undefined;
  const store = () => {
    opened ??= openSignalStoreAt(signalStoreLocation(ctx.workspace, ctx.environment, ctx.env), {
      environment: ctx.environment,
      readOnly: true,
      create: false,
    }).catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
  const projects = async (s: SignalStore, project?: string) =>
    project ? [project] : (await s.chains()).map((c) => c.project);

  return {
    async search(query) {
      const s = await store();
      const limit = Math.min(query.limit ?? DEFAULT_PAGE, MAX_PAGE);
      const needle = query.q?.toLowerCase();
      const matches = (r: SignalRecord) =>
        (!query.kind || r.kind === query.kind) &&
        (!needle || `${r.payload} ${r.strategy} ${r.release}`.toLowerCase().includes(needle));
      const found: SignalRecord[] = [];
      let scanned = 0;
      for (const project of await projects(s, query.project)) {
        let kept = 0;
        for await (const page of s.read({
          project,
          descending: true,
          ...(query.before !== undefined ? { toSeq: query.before - 1 } : {}),
          ...(query.from ? { fromTime: query.from } : {}),
          ...(query.to ? { toTime: query.to } : {}),
          limit: Math.min(SEARCH_SCAN_LIMIT, 1000),
        })) {
          for (const r of page) {
            scanned++;
            if (matches(r)) {
              found.push(r);
              kept++;
            }
          }
          if (kept >= limit || scanned >= SEARCH_SCAN_LIMIT) break;
        }
      }
      found.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.seq - a.seq));
      const records = found.slice(0, limit);
      const last = records.at(-1);
      const more = found.length > limit || (records.length === limit && last !== undefined && last.seq > 1);
      return { store: s.location, records: records.map(viewOf), nextBefore: more && last ? last.seq : null };
    },
    async verify(project) {
      const s = await store();
      return { ...(await s.verify(project ? { project } : {})), store: s.location };
    },
    async *follow(options) {
      const s = await store();
      const after = new Map<string, number>();
      for (const p of await projects(s, options.project)) after.set(p, (await s.head(p))?.seq ?? 0);
      yield* followRecords(s, { ...options, after });
    },
    async *all(project) {
      const s = await store();
      for (const p of await projects(s, project)) yield* s.read({ project: p });
    },
    async close() {
      const s = await opened?.catch(() => undefined);
      opened = undefined;
      await s?.close();
    },
  };
}

/** A store that is not there yet is an empty log to the console, not an error page. */
export function isMissingStore(error: unknown): boolean {
  return (
    error instanceof TroError &&
    error.code === "TRO_ERR_SIGNALS_STORE" &&
    /not exist|no signal|missing|cannot open/i.test(error.message)
  );
}
