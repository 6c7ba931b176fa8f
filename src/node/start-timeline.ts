/**
 * Why: "why does argo take a second to come back?" needs an answer per phase. The node times each step of its
 * start (manifest, listen, config, strategy, data, store, ready) and reports them as one log record and, with
 * `tradeops serve --verbose`, as a table. Phases that run concurrently overlap; `at` says when each ended.
 */

export const START_PHASES = ["boot", "manifest", "listen", "config", "strategy", "data", "store", "ready"] as const;
export type StartPhase = (typeof START_PHASES)[number];

export interface PhaseTiming {
  readonly phase: StartPhase;
  /** how long the phase took, ms */
  readonly ms: number;
  /** when it ended, ms since the process started */
  readonly at: number;
}

export interface StartTimeline {
  /** Times `work` as `phase` (sync or async); the phase is recorded when it settles, also on failure. */
  time<T>(phase: StartPhase, work: () => T): T;
  /** Records a phase measured elsewhere (the CLI's boot and manifest). */
  record(phase: StartPhase, ms: number, at?: number): void;
  readonly phases: readonly PhaseTiming[];
  /** the log record: `{ boot: 41.2, manifest: 2.1, … }` and when the port was bound and trading could start */
  toRecord(): { phases: Record<string, number>; listeningAtMs?: number; readyAtMs?: number };
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** A timeline over `now` (ms since the process started: performance.now by default). */
export function createStartTimeline(now: () => number = () => performance.now()): StartTimeline {
  const phases: PhaseTiming[] = [];
  const record = (phase: StartPhase, ms: number, at = now()) => {
    phases.push({ phase, ms: r1(ms), at: r1(at) });
  };
  return {
    phases,
    record,
    time(phase, work) {
      const began = now();
      const done = () => record(phase, now() - began);
      let result: unknown;
      try {
        result = work();
      } catch (error) {
        done();
        throw error;
      }
      if (result instanceof Promise) return result.finally(done) as never;
      done();
      return result as never;
    },
    toRecord() {
      const out: Record<string, number> = {};
      for (const p of phases) out[p.phase] = r1((out[p.phase] ?? 0) + p.ms);
      const at = (phase: StartPhase) => phases.find((p) => p.phase === phase)?.at;
      const listeningAtMs = at("listen");
      const readyAtMs = at("ready");
      return {
        phases: out,
        ...(listeningAtMs !== undefined ? { listeningAtMs } : {}),
        ...(readyAtMs !== undefined ? { readyAtMs } : {}),
      };
    },
  };
}

/** The phases as lines for a terminal: name, duration, and when it ended since the process started. */
export function formatTimeline(timeline: readonly PhaseTiming[]): string[] {
  const lines = ["start phase      ms   ended at (ms since process start)"];
  for (const p of [...timeline].sort((a, b) => a.at - b.at)) {
    lines.push(`${p.phase.padEnd(10)} ${p.ms.toFixed(1).padStart(8)}   ${p.at.toFixed(1).padStart(8)}`);
  }
  return lines;
}
