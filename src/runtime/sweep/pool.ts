/**
 * Why: a sweep's speed-up over one worker is lost to fixed costs (starting a thread, compiling the strategy,
 * copying the bars, a message per set) unless each is paid once. The pool starts every worker once, shares the
 * bars with all of them (a SharedArrayBuffer per column, never copied again), and hands out sets in batches
 * that shrink as the grid runs out (guided scheduling), so that every worker finishes at about the same time.
 */
import { Worker } from "node:worker_threads";
import { TroError } from "../../errors.js";
import { allocateSeries, type BarSeries } from "../data/bars.js";
import type { SetResult, SweepContext } from "./evaluate.js";

export interface WorkerInit extends Omit<SweepContext, "strategy"> {
  readonly root: string;
  readonly projectDir: string;
  /** the compiled-module cache of the calling process (false: off), so that a worker does not compile again */
  readonly moduleCache: string | false;
}
export interface WorkerJob {
  readonly index: number;
  readonly params: Readonly<Record<string, number>>;
}
/** worker → parent, once: the strategy is loaded; the CPU time its thread spent starting (null: not known) */
export interface WorkerReady {
  readonly ready: true;
  readonly cpuMs: number | null;
}
/** parent → worker: the next sets to run */
export interface WorkerBatch {
  readonly jobs: readonly WorkerJob[];
}
/** worker → parent: a batch's results, with the CPU time the worker's thread spent on it */
export interface WorkerReply {
  readonly results: readonly SetResult[];
  /** CPU time of the worker's own thread (null where the platform does not tell) */
  readonly cpuMs: number | null;
  readonly wallMs: number;
}

/** What one worker did: how many sets, and the CPU and wall time it spent running them (start-up excluded). */
export interface WorkerLoad {
  readonly sets: number;
  readonly batches: number;
  readonly cpuMs: number | null;
  readonly busyMs: number;
  /** from the pool's start until the worker had loaded the strategy */
  readonly startMs: number;
  /** CPU time the worker's thread spent starting: loading the bundle and the strategy */
  readonly startCpuMs: number | null;
}

/** Sets per batch: a share of what is left, so that the last batches are single sets and workers end together. */
export function batchSize(remaining: number, workers: number): number {
  return Math.max(1, Math.floor(remaining / (workers * 3)));
}

/**
 * Runs `sets` on `count` worker threads; `finish` gets each result as its batch comes back.
 * @throws TroError TRO_ERR_INTERNAL when a worker fails or exits
 */
export async function runInWorkers(
  url: URL,
  init: WorkerInit,
  sets: readonly Readonly<Record<string, number>>[],
  count: number,
  finish: (r: SetResult) => void,
): Promise<WorkerLoad[]> {
  const started = performance.now();
  const shared: WorkerInit = {
    ...init,
    inSample: shareSeries(init.inSample),
    ...(init.outOfSample ? { outOfSample: shareSeries(init.outOfSample) } : {}),
  };
  let next = 0;
  const pool: Worker[] = [];
  const loads: WorkerLoad[] = [];
  try {
    await Promise.all(
      Array.from({ length: count }, (_, w) => {
        const load = {
          sets: 0,
          batches: 0,
          cpuMs: 0 as number | null,
          busyMs: 0,
          startMs: 0,
          startCpuMs: null as number | null,
        };
        loads[w] = load;
        return new Promise<void>((resolve, reject) => {
          const worker = new Worker(url, { workerData: shared });
          pool.push(worker);
          const send = () => {
            if (next >= sets.length) return resolve();
            const size = batchSize(sets.length - next, count);
            const jobs: WorkerJob[] = [];
            for (const end = Math.min(sets.length, next + size); next < end; next++) {
              jobs.push({ index: next, params: sets[next]! });
            }
            worker.postMessage({ jobs } satisfies WorkerBatch);
          };
          worker.on("message", (m: WorkerReply | WorkerReady) => {
            if ("ready" in m) {
              load.startMs = performance.now() - started;
              load.startCpuMs = m.cpuMs;
            } else {
              for (const r of m.results) finish(r);
              load.sets += m.results.length;
              load.batches++;
              load.busyMs += m.wallMs;
              load.cpuMs = load.cpuMs === null || m.cpuMs === null ? null : load.cpuMs + m.cpuMs;
            }
            send();
          });
          worker.on("error", (cause) =>
            reject(new TroError("TRO_ERR_INTERNAL", `A sweep worker failed: ${cause.message}`, { cause })),
          );
          worker.on("exit", (code) => {
            if (code !== 0) reject(new TroError("TRO_ERR_INTERNAL", `A sweep worker exited with code ${code}.`));
          });
        });
      }),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return loads.map((l) => ({
    ...l,
    cpuMs: l.cpuMs === null ? null : Math.round(l.cpuMs),
    busyMs: Math.round(l.busyMs),
    startMs: Math.round(l.startMs),
  }));
}

/** The series with its columns in shared memory: every worker reads the same bytes; nothing is copied per worker. */
export function shareSeries(series: BarSeries): BarSeries {
  const n = series.length;
  const out = allocateSeries(series.symbols, 0);
  const column = <T extends Float64Array | Uint16Array>(from: T, make: (b: SharedArrayBuffer) => T): T => {
    const to = make(new SharedArrayBuffer(n * from.BYTES_PER_ELEMENT));
    to.set(from.subarray(0, n) as never);
    return to;
  };
  const f64 = (a: Float64Array) => column(a, (b) => new Float64Array(b));
  return {
    ...out,
    length: n,
    time: f64(series.time),
    open: f64(series.open),
    high: f64(series.high),
    low: f64(series.low),
    close: f64(series.close),
    volume: f64(series.volume),
    symbolIndex: column(series.symbolIndex, (b) => new Uint16Array(b)),
  };
}
