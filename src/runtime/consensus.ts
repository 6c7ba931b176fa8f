/**
 * Weighted consensus: several signal sources, each voting a value in [-1, 1] (sell … buy), combined with
 * configured weights into one signal when the weighted score clears a threshold. It is evaluated at most
 * once per interval (the seeds' five seconds): between evaluations, inputs only accumulate.
 */
import { TroError } from "../errors.js";

export interface ConsensusOptions {
  /** source name → weight (≥ 0); only these sources may vote */
  readonly weights: Readonly<Record<string, number>>;
  /** |score| must reach this (0..1) for a buy or sell */
  readonly threshold: number;
  /** at most one evaluation per this many ms of kernel time (0: every call) */
  readonly intervalMs: number;
}

export interface ConsensusResult {
  readonly side: "buy" | "sell" | "flat";
  /** |score|, in [0, 1] */
  readonly strength: number;
  /** Σ weight × vote / Σ weight over the sources that voted, in [-1, 1] */
  readonly score: number;
  /** `sma_cross +1.00×0.6, momentum -0.40×0.4 → +0.44` */
  readonly reason: string;
}

export class Consensus {
  /** the sources that voted, in the order they first did, and each one's latest vote */
  readonly #sources: string[] = [];
  readonly #votes: number[] = [];
  readonly #slot = new Map<string, number>();
  #last = Number.NEGATIVE_INFINITY;
  /** copied field by field: an options object built with a spread (`{ ...p.consensus, intervalMs }`) has a map
   * of its own on every call in V8 11, which would make every consensus method megamorphic across runs */
  readonly options: ConsensusOptions;

  constructor(options: ConsensusOptions) {
    this.options = { weights: options.weights, threshold: options.threshold, intervalMs: options.intervalMs };
    const bad = Object.entries(options.weights).filter(([, w]) => !(w >= 0 && Number.isFinite(w)));
    if (bad.length || !(options.threshold >= 0 && options.threshold <= 1) || !(options.intervalMs >= 0)) {
      throw new TroError(
        "TRO_ERR_STRATEGY_INVALID",
        "Consensus needs weights ≥ 0, a threshold in 0..1 and an interval ≥ 0.",
        {
          hint: "Check consensus.weights and consensus.threshold in the project's config.",
        },
      );
    }
  }

  /** Records a source's latest vote, clamped to [-1, 1]. @throws TRO_ERR_STRATEGY_INVALID for an unknown source */
  vote(source: string, value: number): void {
    if (!(source in this.options.weights)) {
      throw new TroError("TRO_ERR_STRATEGY_INVALID", `Consensus has no weight for source "${source}".`, {
        hint: `Add it to consensus.weights (known: ${Object.keys(this.options.weights).join(", ")}).`,
      });
    }
    if (!Number.isFinite(value)) return;
    let i = this.#slot.get(source);
    if (i === undefined) {
      i = this.#sources.length;
      this.#slot.set(source, i);
      this.#sources.push(source);
    }
    this.#votes[i] = Math.max(-1, Math.min(1, value));
  }

  /** The combined signal, or undefined when the interval has not passed since the last evaluation. */
  evaluate(now: number): ConsensusResult | undefined {
    if (now - this.#last < this.options.intervalMs) return undefined;
    this.#last = now;
    return this.peek();
  }

  /** The combined signal now, without touching the interval (its `reason` is written when read). */
  peek(): ConsensusResult {
    const weights = this.options.weights;
    const sources = this.#sources;
    const votes = this.#votes.slice();
    let weighted = 0;
    let total = 0;
    for (let i = 0; i < votes.length; i++) {
      const weight = weights[sources[i]!]!;
      weighted += weight * votes[i]!;
      total += weight;
    }
    const score = total > 0 ? weighted / total : 0;
    const strength = Math.abs(score);
    const side = strength >= this.options.threshold && score !== 0 ? (score > 0 ? "buy" : "sell") : "flat";
    return new ConsensusView(side, strength, score, sources, votes, weights);
  }
}

/**
 * A consensus result whose `reason` is written when read (and in JSON): a strategy evaluates on every bar and
 * records a reason only when its view changes, and formatting the numbers was most of an evaluation's cost.
 */
class ConsensusView implements ConsensusResult {
  /** only ever grows: its first votes.length sources are the ones these votes belong to */
  readonly #sources: readonly string[];
  readonly #votes: readonly number[];
  readonly #weights: Readonly<Record<string, number>>;

  constructor(
    readonly side: "buy" | "sell" | "flat",
    readonly strength: number,
    readonly score: number,
    sources: readonly string[],
    votes: readonly number[],
    weights: Readonly<Record<string, number>>,
  ) {
    this.#sources = sources;
    this.#votes = votes;
    this.#weights = weights;
  }

  get reason(): string {
    const parts = this.#votes.map(
      (vote, i) => `${this.#sources[i]} ${signed(vote)}×${this.#weights[this.#sources[i]!]}`,
    );
    return `${parts.join(", ") || "no votes"} → ${signed(this.score)}`;
  }

  toJSON(): ConsensusResult {
    return { side: this.side, strength: this.strength, score: this.score, reason: this.reason };
  }
}

export function consensus(options: ConsensusOptions): Consensus {
  return new Consensus(options);
}

function signed(n: number): string {
  return `${n >= 0 ? "+" : ""}${n.toFixed(2)}`;
}
