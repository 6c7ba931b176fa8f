/**
 * The service host's lifecycle as a state table, and the drain that SIGTERM starts: stop taking new work,
 * run the drain hooks in order (each under its own deadline, the whole under another), then close HTTP.
 * Readiness fails from the first moment of draining; liveness keeps answering until HTTP closes.
 */
import { withTimeout } from "../health/timeout.js";
import { codeOfError } from "../health/types.js";

export const HOST_TRANSITIONS = {
  created: ["starting", "stopped"],
  starting: ["ready", "failed", "draining"],
  ready: ["draining"],
  draining: ["stopped"],
  failed: ["stopped"],
  stopped: [],
} as const satisfies Record<string, readonly string[]>;
export type HostState = keyof typeof HOST_TRANSITIONS;

/** One drain step's deadline, the whole drain's deadline (under Kubernetes' 30 s default grace). */
export const DRAIN_HOOK_TIMEOUT_MS = 10_000;
export const SHUTDOWN_TIMEOUT_MS = 25_000;

/** A step of graceful shutdown: stop new orders, finish or cancel in-flight ones, flush the signal log, … */
export interface DrainHook {
  readonly name: string;
  readonly timeoutMs?: number;
  run(signal: AbortSignal): Promise<void> | void;
}

export interface DrainStep {
  readonly name: string;
  readonly ok: boolean;
  readonly code: string | null;
}

export interface ShutdownReport {
  readonly reason: string;
  /** true when the whole drain ran out of time and HTTP was closed regardless */
  readonly forced: boolean;
  readonly steps: DrainStep[];
}

export class Lifecycle {
  #state: HostState = "created";

  get state(): HostState {
    return this.#state;
  }

  /** Moves to `next` if the table allows it; returns whether it moved. */
  move(next: HostState): boolean {
    if (!(HOST_TRANSITIONS[this.#state] as readonly HostState[]).includes(next)) return false;
    this.#state = next;
    return true;
  }

  get acceptingWork(): boolean {
    return this.#state === "ready";
  }
}

/** Runs the hooks in order; a failing or hanging hook is recorded by code and the next one still runs. */
export async function runDrainHooks(
  hooks: readonly DrainHook[],
  steps: DrainStep[],
  signal: AbortSignal,
): Promise<void> {
  for (const hook of hooks) {
    if (signal.aborted) return;
    const result = await withTimeout((s) => hook.run(s), hook.timeoutMs ?? DRAIN_HOOK_TIMEOUT_MS);
    const code = result.ok ? null : result.timedOut ? "TIMEOUT" : codeOfError(result.error);
    steps.push({ name: hook.name, ok: result.ok, code });
  }
}

/** Drains within `timeoutMs`: the report says which steps finished and whether time ran out. */
export async function drain(
  hooks: readonly DrainHook[],
  timeoutMs: number,
): Promise<{ forced: boolean; steps: DrainStep[] }> {
  const steps: DrainStep[] = [];
  const outer = new AbortController();
  const result = await withTimeout(async (signal) => {
    signal.addEventListener("abort", () => outer.abort(), { once: true });
    await runDrainHooks(hooks, steps, outer.signal);
  }, timeoutMs);
  return { forced: !result.ok && result.timedOut, steps: [...steps] };
}
