/**
 * What the runtime records through. When the store is unavailable the recorder never trades blind: records go to
 * a bounded spool; if storage is required (production) it reports unhealthy and forbids order sending until the
 * store is back and the spool drained; if storage is optional (development) it keeps orders going and says so.
 *
 *   state        orders allowed          health      leaves to
 *   starting     no                      unhealthy   ready, unavailable, closed
 *   ready        yes                     healthy     unavailable, closed
 *   unavailable  only if not required    unhealthy | degraded (optional)   ready, closed
 *   closed       no                      unhealthy   —
 */
import { type ErrorCode, isTroError, TroError } from "../errors.js";
import { normalizeTime, prepareInputs } from "./prepare.js";
import type { SignalSpool } from "./spool.js";
import type { SignalInput, SignalStore } from "./types.js";

/** the least time between two attempts to reach an unavailable store */
export const RECORDER_RETRY_MS = 5_000;
/** records per append while draining the spool */
const DRAIN_CHUNK = 1_000;

export type RecorderState = "starting" | "ready" | "unavailable" | "closed";
const TRANSITIONS: Readonly<Record<RecorderState, readonly RecorderState[]>> = {
  starting: ["ready", "unavailable", "closed"],
  ready: ["unavailable", "closed"],
  unavailable: ["ready", "closed"],
  closed: [],
};

export interface RecorderStatus {
  readonly state: RecorderState;
  readonly status: "healthy" | "degraded" | "unhealthy";
  readonly ordersAllowed: boolean;
  readonly required: boolean;
  readonly spooled: number;
  readonly dropped: number;
  readonly errorCode?: ErrorCode;
  /** one sentence for health output and logs (no hostnames or raw exception text) */
  readonly message: string;
}

export interface RecordOutcome {
  readonly stored: number;
  readonly spooled: number;
  readonly dropped: number;
}

export interface SignalRecorderOptions {
  /** opens (or reopens) the store */
  readonly open: () => Promise<SignalStore>;
  readonly required: boolean;
  /** `signals.store: none`: records are validated, then dropped; the recorder is ready and healthy */
  readonly disabled?: boolean;
  readonly spool: SignalSpool;
  /** milliseconds since the epoch */
  readonly now?: () => number;
  readonly retryMs?: number;
}

export class SignalRecorder {
  #state: RecorderState = "starting";
  #store: SignalStore | undefined;
  #errorCode: ErrorCode | undefined;
  #nextAttempt = 0;
  readonly #options: SignalRecorderOptions;
  readonly #now: () => number;

  constructor(options: SignalRecorderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  #move(to: RecorderState): void {
    if (to === this.#state) return;
    if (!TRANSITIONS[this.#state].includes(to))
      throw new TroError("TRO_ERR_INTERNAL", `recorder: ${this.#state} → ${to}`);
    this.#state = to;
  }

  #unavailable(error: unknown): void {
    if (!isTroError(error) || error.code === "TRO_ERR_USAGE") throw error;
    this.#errorCode = error.code;
    this.#nextAttempt = this.#now() + (this.#options.retryMs ?? RECORDER_RETRY_MS);
    this.#move("unavailable");
  }

  /** Opens the store and drains any spool left by an earlier run; never throws for an unavailable store. */
  async start(): Promise<RecorderStatus> {
    await this.retry();
    return this.status();
  }

  /** Tries to reach the store and drain the spool now; true when the recorder is ready afterwards. */
  async retry(): Promise<boolean> {
    if (this.#state === "closed") return false;
    if (this.#options.disabled) {
      this.#move("ready");
      return true;
    }
    try {
      this.#store ??= await this.#options.open();
      const spool = this.#options.spool;
      while (spool.size) {
        const chunk = spool.peek(DRAIN_CHUNK);
        await this.#store.append(chunk);
        spool.remove(chunk.length);
      }
      this.#errorCode = undefined;
      this.#move("ready");
      return true;
    } catch (error) {
      await this.#store?.close().catch(() => undefined);
      this.#store = undefined;
      this.#unavailable(error);
      return false;
    }
  }

  /**
   * Records signals: stored when the store answers, spooled otherwise.
   * @throws TroError TRO_ERR_USAGE for an invalid record (whatever the store's state)
   */
  async record(inputs: readonly SignalInput[]): Promise<RecordOutcome> {
    if (this.#state === "closed") throw new TroError("TRO_ERR_INTERNAL", "The signal recorder is closed.");
    const now = normalizeTime(this.#now()) ?? new Date().toISOString();
    const prepared = prepareInputs(inputs, now);
    if (this.#options.disabled) return { stored: 0, spooled: 0, dropped: 0 };
    if (this.#state !== "ready" && this.#now() >= this.#nextAttempt) await this.retry();
    if (this.#state === "ready" && this.#store) {
      const timed = inputs.map((input, i) =>
        input.time === undefined ? { ...input, time: prepared[i]!.time } : input,
      );
      try {
        await this.#store.append(timed);
        return { stored: inputs.length, spooled: 0, dropped: 0 };
      } catch (error) {
        this.#unavailable(error);
      }
    }
    return { stored: 0, ...this.#options.spool.push(prepared) };
  }

  /**
   * Level 3: the store answers a read of the chain's head now, and the last write went through (the recorder is
   * ready). Throws with the store's code otherwise.
   */
  async probe(project: string): Promise<void> {
    if (this.#state !== "ready" || !this.#store) {
      throw new TroError("TRO_ERR_SIGNALS_STORE", `The signal store is ${this.#state}.`);
    }
    await this.#store.head(project);
  }

  /** Whether orders may be sent: never while a required store is unavailable. */
  ordersAllowed(): boolean {
    return this.#state === "ready" || (this.#state === "unavailable" && !this.#options.required);
  }

  status(): RecorderStatus {
    const { required, spool } = this.#options;
    const base = {
      state: this.#state,
      required,
      spooled: spool.size,
      dropped: spool.dropped,
      ordersAllowed: this.ordersAllowed(),
    };
    // no location: health output never names a dependency's host
    if (this.#state === "ready" && this.#options.disabled)
      return { ...base, status: "healthy", message: "signal log turned off (signals.store: none)" };
    if (this.#state === "ready")
      return { ...base, status: "healthy", message: `recording to the ${this.#store?.backend ?? ""} signal store` };
    if (this.#state === "unavailable") {
      const held = `${spool.size} record${spool.size === 1 ? "" : "s"} spooled, ${spool.dropped} dropped`;
      return required
        ? {
            ...base,
            status: "unhealthy",
            errorCode: this.#errorCode,
            message: `signal store unavailable: order sending halted (${held})`,
          }
        : {
            ...base,
            status: "degraded",
            errorCode: this.#errorCode,
            message: `signal store unavailable, storage optional: trading continues (${held})`,
          };
    }
    return {
      ...base,
      status: "unhealthy",
      message: this.#state === "closed" ? "recorder closed" : "signal store not opened yet",
    };
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#move("closed");
    await this.#store?.close();
    this.#store = undefined;
  }
}
