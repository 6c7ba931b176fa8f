/**
 * Runs the gates in their order, each timed and reported as it starts and ends. Gates 1, 2 and 10 are decided by
 * the plan; 3 to 9 and 12 (signal parity, after 10) run here; 11 runs after the switch. An operator's skip (`--skip-gate N --reason`) is honoured
 * and recorded with its reason.
 */
import { isTroError } from "../../errors.js";
import { GATE_NAMES, type GateNumber, type GateResult } from "../types.js";
import { commandGate } from "./commands.js";
import type { GateContext, GateVerdict } from "./context.js";
import { requiredEnvironmentsGate, targetHealthyGate } from "./health.js";
import { parityGate } from "./parity.js";
import { qualityGate } from "./quality.js";
import { environmentGate } from "./validate.js";

export type GateEvent =
  | { readonly type: "gate-start"; readonly gate: GateNumber; readonly name: string }
  | { readonly type: "gate-end"; readonly result: GateResult };

const RUNNERS: Partial<Record<GateNumber, (ctx: GateContext) => Promise<GateVerdict>>> = {
  3: (ctx) => commandGate(ctx, "test"),
  4: (ctx) => commandGate(ctx, "lint"),
  5: (ctx) => commandGate(ctx, "build"),
  6: requiredEnvironmentsGate,
  7: environmentGate,
  8: qualityGate,
  9: targetHealthyGate,
  12: parityGate,
};

export interface RunGatesOptions {
  /** the gates to report, in order */
  readonly gates: readonly GateNumber[];
  /** verdicts the plan already reached (1, 2, 10) */
  readonly decided: ReadonlyMap<GateNumber, GateVerdict>;
  readonly skips: ReadonlyMap<GateNumber, string>;
  /** stop at the first failure (a deploy) or run them all (`tradeops gates`) */
  readonly stopOnFailure: boolean;
  readonly onEvent?: (event: GateEvent) => void;
  readonly now?: () => number;
}

/** Runs and reports gates; a gate that throws fails with the error's message. */
export async function runGates(ctx: GateContext | undefined, options: RunGatesOptions): Promise<GateResult[]> {
  const now = options.now ?? Date.now;
  const results: GateResult[] = [];
  for (const gate of options.gates) {
    const name = GATE_NAMES[gate];
    options.onEvent?.({ type: "gate-start", gate, name });
    const started = now();
    const skippedBy = options.skips.get(gate);
    let verdict: GateVerdict;
    if (skippedBy) verdict = { status: "skip", reason: `skipped by the operator: ${skippedBy}`, skippedBy };
    else if (options.decided.has(gate)) verdict = options.decided.get(gate)!;
    else if (ctx && RUNNERS[gate]) verdict = await guarded(() => RUNNERS[gate]!(ctx));
    else verdict = { status: "pending", reason: "runs after the switch" };
    const result: GateResult = { gate, name, ...verdict, durationMs: now() - started };
    results.push(result);
    options.onEvent?.({ type: "gate-end", result });
    if (result.status === "fail" && options.stopOnFailure) break;
  }
  return results;
}

async function guarded(run: () => Promise<GateVerdict>): Promise<GateVerdict> {
  try {
    return await run();
  } catch (error) {
    const message = isTroError(error) ? error.message : String((error as Error)?.message ?? error);
    return { status: "fail", reason: message.split("\n")[0] ?? "failed" };
  }
}
