/**
 * Receive-side data freshness, per stream (research §3.12): "connected" is not "receiving". The feed calls
 * `record(stream)` on every bar or tick it receives; a stream never heard from counts as stale, and so does a
 * tracker that expects nothing (the vacuous pass).
 */
import { TroError } from "../errors.js";
import { type Clock, isValidName, systemClock } from "./types.js";

export interface StreamFreshness {
  readonly stream: string;
  /** when the last bar/tick arrived (epoch ms), undefined when none has */
  readonly lastAt: number | undefined;
  readonly ageMs: number | undefined;
  readonly budgetMs: number;
  readonly fresh: boolean;
}

export interface FreshnessOptions {
  /** the staleness budget: a stream silent for longer is stale */
  readonly staleAfterMs: number;
  /** streams expected from the start, so that "never received" fails instead of passing */
  readonly streams?: readonly string[];
  /** a budget per stream where cadences differ (daily bars against ticks) */
  readonly budgets?: Readonly<Record<string, number>>;
  readonly clock?: Clock;
}

export class FreshnessTracker {
  readonly #last = new Map<string, number | undefined>();
  readonly #clock: Clock;

  constructor(private readonly options: FreshnessOptions) {
    if (!(options.staleAfterMs > 0)) {
      throw new TroError("TRO_ERR_INTERNAL", "a freshness tracker needs a staleness budget above 0 ms");
    }
    this.#clock = options.clock ?? systemClock;
    for (const stream of options.streams ?? []) this.expect(stream);
  }

  /** Declares a stream before its first message. @throws TRO_ERR_INTERNAL on a malformed name */
  expect(stream: string): void {
    if (!isValidName(stream)) throw new TroError("TRO_ERR_INTERNAL", `stream name "${stream}" is not a valid name`);
    if (!this.#last.has(stream)) this.#last.set(stream, undefined);
  }

  /** Records that a bar or tick of `stream` was received (now, or at `at`). */
  record(stream: string, at: number = this.#clock.now()): void {
    if (!this.#last.has(stream)) this.expect(stream);
    const previous = this.#last.get(stream);
    if (previous === undefined || at > previous) this.#last.set(stream, at);
  }

  /** Every stream's freshness at `now`; pure memory reads. */
  snapshot(now: number = this.#clock.now()): StreamFreshness[] {
    return [...this.#last].map(([stream, lastAt]) => {
      const budgetMs = this.options.budgets?.[stream] ?? this.options.staleAfterMs;
      const ageMs = lastAt === undefined ? undefined : Math.max(0, now - lastAt);
      return { stream, lastAt, ageMs, budgetMs, fresh: ageMs !== undefined && ageMs <= budgetMs };
    });
  }
}

/** A tracker for the streams a feed delivers. @throws TRO_ERR_INTERNAL on a budget of 0 or less */
export function createFreshnessTracker(options: FreshnessOptions): FreshnessTracker {
  return new FreshnessTracker(options);
}
