/**
 * The runtime's records into the signal log: kernel records become the store's kinds (signal,
 * order_decision, risk_rejection, halt, resume), batched per event-loop turn so that the hot path only
 * pushes to an array. The store's time is the wall clock; the kernel's clock (a replayed bar's time) goes
 * in the payload, so that retention never prunes yesterday's replay of 2008 as 2008.
 */
import type { SignalInput, SignalKind } from "../signals/types.js";
import type { RuntimeRecord, SignalSink } from "./records.js";
import type { ExecutionMode } from "./types.js";

/** The part of the signal log's recorder this sink uses. */
export interface RecorderPort {
  record(inputs: readonly SignalInput[]): Promise<unknown>;
}

export interface RecorderSinkOptions {
  readonly project: string;
  readonly strategy: string;
  readonly mode: ExecutionMode;
  readonly configHash?: string;
  readonly release?: string;
  /** the colour the release runs in (blue, green), recorded in every payload when given */
  readonly color?: string;
  /** the fencing token the node holds now, recorded in every payload when given */
  readonly token?: () => number;
  readonly now?: () => number;
  /** a batch the store refused outright (an invalid record): logged, never thrown into the kernel */
  readonly onError?: (error: unknown) => void;
}

export class RecorderSink implements SignalSink {
  #queue: SignalInput[] = [];
  #scheduled = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly recorder: RecorderPort,
    readonly options: RecorderSinkOptions,
  ) {}

  append(record: RuntimeRecord): void {
    const input = this.#toInput(record);
    if (!input) return;
    this.#queue.push(input);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Waits until everything appended so far is recorded (or spooled by the recorder). */
  flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length) {
      this.#chain = this.#chain.then(() =>
        this.recorder.record(batch).then(
          () => undefined,
          (error) => this.options.onError?.(error),
        ),
      );
    }
    return this.#chain;
  }

  #toInput(record: RuntimeRecord): SignalInput | undefined {
    const kind = storeKind(record);
    if (!kind) return undefined;
    const { project, strategy, mode, configHash, release } = this.options;
    return {
      project,
      strategy,
      kind,
      time: new Date((this.options.now ?? Date.now)()),
      ...(configHash ? { configHash } : {}),
      ...(release ? { release } : {}),
      // JSON round trip: a non-finite number (an invalid order's NaN) becomes null, as canonical JSON needs
      payload: JSON.parse(
        JSON.stringify({
          event: record.kind,
          mode,
          seq: record.seq,
          clockTime: new Date(record.time).toISOString(),
          ...(record.symbol ? { symbol: record.symbol } : {}),
          ...(this.options.color ? { color: this.options.color } : {}),
          ...(this.options.token ? { token: this.options.token() } : {}),
          ...record.payload,
        }),
      ) as unknown,
    };
  }
}

/** Which kind of the signal log a runtime record is; errors are logged, not recorded as decisions. */
export function storeKind(record: RuntimeRecord): SignalKind | undefined {
  switch (record.kind) {
    case "signal":
      return "signal";
    case "order":
    case "fill":
    case "canceled":
      return "order_decision";
    case "rejected":
      return "risk_rejection";
    case "state": {
      const p = record.payload;
      if (p.to === "active" || p.paused === false || p.held === false || p.lease === "holding") return "resume";
      return "halt";
    }
    default:
      return undefined;
  }
}
