/**
 * What the runtime records: every signal, every order decision (sent or refused, with the reason), every fill,
 * cancel, error and trading-state change. The `SignalSink` port is where they go: the signal log's
 * append-only store in a service, memory in a backtest. Wiring the store is a one-line adapter:
 * `{ append: (r) => store.append(r) }`.
 */

export type RecordKind = "signal" | "order" | "rejected" | "fill" | "canceled" | "state" | "error";

/** Which rule refused an order: one of the risk rules, or the venue itself. */
export type RefusalRule =
  | "invalid"
  | "halted"
  | "reducing"
  | "read_only"
  | "auto_execute_off"
  | "paused"
  | "signal_store"
  | "data_stale"
  | "max_trade_usd"
  | "max_position_usd"
  | "order_rate"
  | "venue"
  | "shadow"
  | "lease";

export interface RuntimeRecord {
  /** 1, 2, 3 … per run */
  readonly seq: number;
  /** kernel clock, epoch ms: bar time in backtests and replays, wall time live */
  readonly time: number;
  readonly kind: RecordKind;
  readonly strategy: string;
  /** undefined for records about the whole run (state changes, errors) */
  readonly symbol: string | undefined;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface SignalSink {
  append(record: RuntimeRecord): void;
  /** Waits until everything appended so far is stored (a no-op for memory). */
  flush?(): Promise<void>;
}

/** Keeps records in memory: backtests, tests, and services until the signal store is wired. */
export class MemorySink implements SignalSink {
  readonly records: RuntimeRecord[] = [];

  append(record: RuntimeRecord): void {
    this.records.push(record);
  }

  ofKind(kind: RecordKind): RuntimeRecord[] {
    return this.records.filter((r) => r.kind === kind);
  }
}

/**
 * Counts records by kind (refusals by rule) and keeps the first `keep` refusals, state changes and errors:
 * what a backtest reports, in bounded memory however long the run. Orders and fills are not kept: the
 * portfolio's trades and the equity curve hold them.
 */
export class CountingSink implements SignalSink {
  readonly counts = new Map<string, number>();
  readonly kept: RuntimeRecord[] = [];
  dropped = 0;

  constructor(readonly keep = DEFAULT_KEEP) {}

  append(record: RuntimeRecord): void {
    const kind = record.kind;
    const key = kind === "rejected" ? `rejected:${String(record.payload.rule)}` : kind;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (kind === "order" || kind === "fill" || kind === "canceled") return;
    if (this.kept.length < this.keep) this.kept.push(record);
    else this.dropped++;
  }

  /** orders, fills and cancels the kernel counted without building records (they are never kept) */
  orders = 0;
  fills = 0;
  cancels = 0;

  /** Counts an order, fill or cancel without a record: a field increment on the backtest's hot path. */
  tally(kind: "order" | "fill" | "canceled"): void {
    if (kind === "order") this.orders++;
    else if (kind === "fill") this.fills++;
    else this.cancels++;
  }

  count(key: string): number {
    if (key === "order") return this.orders + (this.counts.get(key) ?? 0);
    if (key === "fill") return this.fills + (this.counts.get(key) ?? 0);
    if (key === "canceled") return this.cancels + (this.counts.get(key) ?? 0);
    return this.counts.get(key) ?? 0;
  }

  /** Every count, by kind (refusals by rule). */
  all(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.counts);
    for (const [key, n] of [
      ["order", this.orders],
      ["fill", this.fills],
      ["canceled", this.cancels],
    ] as const) {
      if (n) out[key] = (out[key] ?? 0) + n;
    }
    return out;
  }
}

/** Refusals, state changes and errors a backtest keeps for its report when no other sink is given. */
export const DEFAULT_KEEP = 1000;

/** Sends every record to several sinks (memory for the report, the store for the audit log). */
export function teeSink(...sinks: SignalSink[]): SignalSink {
  return {
    append(record) {
      for (const sink of sinks) sink.append(record);
    },
    async flush() {
      await Promise.all(sinks.map((s) => s.flush?.()));
    },
  };
}
