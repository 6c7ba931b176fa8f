/**
 * Where verify hashes: inline for small chains, in a worker thread for large ones, so reading page n+1 from the
 * database (main thread) overlaps hashing page n. A store keeps its worker for its lifetime and ends it at close.
 */
import { Worker } from "node:worker_threads";
import { TroError } from "../errors.js";
import { newScanState, type ScanState, scanPage } from "./scan.js";

/** records from which a chain is hashed in the worker (below, starting the thread costs more than it saves) */
export const WORKER_MIN_RECORDS = 20_000;
/** pages sent and not yet scanned, at most: bounds the memory a fast reader can fill */
const IN_FLIGHT = 4;

export type ScanMessage =
  | { readonly type: "start" }
  | { readonly type: "page"; readonly rows: readonly string[] }
  | { readonly type: "finish" };

/** Folds pages of `hash + encoding` rows, in seq order, into one chain's scan state. */
export interface PageScanner {
  scan(rows: readonly string[]): Promise<void>;
  finish(): Promise<ScanState>;
}

/** Scans on the calling thread. */
export function inlineScanner(): PageScanner {
  const state = newScanState();
  return {
    async scan(rows) {
      scanPage(rows, state);
    },
    async finish() {
      return state;
    },
  };
}

/** The built worker next to the bundle; from the TypeScript sources (tests), the built one of the same checkout. */
function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith(".ts")
    ? new URL("../../dist/signals-hash-worker.js", import.meta.url)
    : new URL("./signals-hash-worker.js", import.meta.url);
}

/** One hashing thread, started on first use; one chain at a time (a second verify meanwhile hashes inline). */
export class HashWorker {
  private worker: Worker | undefined;
  private busy = false;
  private waiting: ((message: { type: string; state?: ScanState }) => void)[] = [];
  private failure: Error | undefined;

  constructor(private readonly url: URL = defaultWorkerUrl()) {}

  /** A scanner for a chain of about `records` records. */
  scanner(records: number): PageScanner {
    if (records < WORKER_MIN_RECORDS || this.busy) return inlineScanner();
    return this.remote();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.url);
    worker.on("message", (message) => this.waiting.shift()?.(message));
    const fail = (cause: Error) => {
      this.failure = new TroError("TRO_ERR_INTERNAL", `The signal hashing thread failed: ${cause.message}`, { cause });
      this.worker = undefined;
      for (const waiter of this.waiting.splice(0)) waiter({ type: "failed" });
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (this.worker === worker) fail(new Error(`it exited with code ${code}`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private reply(): Promise<{ type: string; state?: ScanState }> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private remote(): PageScanner {
    const worker = this.start();
    this.busy = true;
    this.failure = undefined;
    worker.ref(); // a verify waiting on the thread keeps the process alive
    worker.postMessage({ type: "start" } satisfies ScanMessage);
    const inFlight: Promise<unknown>[] = [];
    const check = () => {
      if (this.failure) throw this.failure;
    };
    const done = () => {
      this.busy = false;
      worker.unref();
    };
    return {
      scan: async (rows) => {
        check();
        worker.postMessage({ type: "page", rows } satisfies ScanMessage);
        inFlight.push(this.reply());
        if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
        check();
      },
      finish: async () => {
        try {
          check();
          worker.postMessage({ type: "finish" } satisfies ScanMessage);
          const reply = this.reply(); // answered after every page still in flight
          await Promise.all(inFlight);
          const { state } = await reply;
          check();
          return state!;
        } finally {
          done();
        }
      },
    };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
