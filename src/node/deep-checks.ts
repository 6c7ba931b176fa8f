/**
 * The level-3 checks a trading node registers, each only where it applies: the signal store answers and took the
 * last write, the broker account answers (paper and live), market data is fresh, no errors were logged recently,
 * and — when the node is meant to send — the executor lease's store confirms its token now.
 */
import { dataFreshnessCheck, injectedCheck } from "../health/deep/checks.js";
import type { CheckOutcome, DeepCheck } from "../health/deep/runner.js";
import type { FreshnessTracker } from "../health/freshness.js";
import type { SignalRecorder } from "../signals/recorder.js";
import type { OrderPermit } from "./permit.js";

/** Error lines tolerated within the window before the check fails. */
export const RECENT_ERRORS_WINDOW_MS = 5 * 60_000;

/** Counts errors as they are logged or recorded, and forgets those older than the window. */
export class RecentErrors {
  readonly #times: number[] = [];
  constructor(
    readonly windowMs = RECENT_ERRORS_WINDOW_MS,
    readonly now: () => number = Date.now,
  ) {}

  note(): void {
    this.#times.push(this.now());
    if (this.#times.length > 1000) this.#times.shift();
  }

  count(): number {
    const since = this.now() - this.windowMs;
    while (this.#times.length && this.#times[0]! < since) this.#times.shift();
    return this.#times.length;
  }
}

export interface NodeChecksOptions {
  readonly project: string;
  readonly recorder?: Pick<SignalRecorder, "probe">;
  /** reads the broker account (paper and live venues only) */
  readonly broker?: (signal: AbortSignal) => Promise<unknown>;
  readonly freshness?: FreshnessTracker;
  readonly errors: RecentErrors;
  readonly permit: OrderPermit;
}

export function nodeDeepChecks(o: NodeChecksOptions): DeepCheck[] {
  const checks: DeepCheck[] = [];
  const recorder = o.recorder;
  if (recorder) checks.push(injectedCheck("signal_store", () => recorder.probe(o.project).then(() => true)));
  if (o.broker) checks.push(injectedCheck("broker_account", (signal) => o.broker!(signal).then(() => true)));
  if (o.freshness) checks.push(dataFreshnessCheck(o.freshness, { critical: false }));
  checks.push({
    name: "recent_errors",
    critical: false,
    run(): CheckOutcome {
      const n = o.errors.count();
      return { ok: n === 0, code: "ERRORS_LOGGED", observedValue: n };
    },
  });
  checks.push({
    name: "executor_lease",
    async run(): Promise<CheckOutcome> {
      const p = o.permit;
      if (p.state === "fenced" || p.state === "expired") return { ok: false, code: "LEASE_LOST" };
      if (p.state !== "holding") return { ok: true, observedValue: 0 };
      const decision = await p.beforeSend();
      return decision.ok ? { ok: true, observedValue: p.token } : { ok: false, code: "LEASE_NOT_CURRENT" };
    },
  });
  return checks;
}
