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
  readonly #votes = new Map<string, number>();
  #last = Number.NEGATIVE_INFINITY;

  constructor(readonly options: ConsensusOptions) {
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
    if (Number.isFinite(value)) this.#votes.set(source, Math.max(-1, Math.min(1, value)));
  }

  /** The combined signal, or undefined when the interval has not passed since the last evaluation. */
  evaluate(now: number): ConsensusResult | undefined {
    if (now - this.#last < this.options.intervalMs) return undefined;
    this.#last = now;
    return this.peek();
  }

  /** The combined signal now, without touching the interval. */
  peek(): ConsensusResult {
    let weighted = 0;
    let total = 0;
    const parts: string[] = [];
    for (const [source, vote] of this.#votes) {
      const weight = this.options.weights[source]!;
      weighted += weight * vote;
      total += weight;
      parts.push(`${source} ${signed(vote)}×${weight}`);
    }
    const score = total > 0 ? weighted / total : 0;
    const strength = Math.abs(score);
    const side = strength >= this.options.threshold && score !== 0 ? (score > 0 ? "buy" : "sell") : "flat";
    return { side, strength, score, reason: `${parts.join(", ") || "no votes"} → ${signed(score)}` };
  }
}

export function consensus(options: ConsensusOptions): Consensus {
  return new Consensus(options);
}

function signed(n: number): string {
  return `${n >= 0 ? "+" : ""}${n.toFixed(2)}`;
}
