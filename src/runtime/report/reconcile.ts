/**
 * The accounting identity every backtest must satisfy before its report is believed: realised trade P&L
 * (closed trades and the closed part of open ones) + open P&L − fees = final equity − initial cash, to the
 * cent. It is computed from the trades table and the open trades a user reads, against the equity curve, so a
 * report whose tables do not explain its headline cannot be written.
 */
import { TroError } from "../../errors.js";
import type { OpenTrade, Trade } from "../portfolio.js";

export interface Reconciliation {
  /** gross of fees: closed trades plus the closed part of open trades */
  readonly realized: number;
  /** marked to the last price */
  readonly open: number;
  readonly fees: number;
  /** final equity − initial cash */
  readonly equityChange: number;
  /** realized + open − fees − equityChange; |difference| < 0.005 */
  readonly difference: number;
}

/** Half a cent: anything at or above it shows as a cent in a report. */
export const RECONCILE_TOLERANCE = 0.005;

/**
 * Checks the identity.
 * @throws TroError TRO_ERR_BACKTEST_UNRECONCILED naming both sides when they differ by half a cent or more
 */
export function reconcile(
  trades: readonly Trade[],
  openTrades: readonly OpenTrade[],
  initialCash: number,
  finalEquity: number,
): Reconciliation {
  let realized = 0;
  let fees = 0;
  for (const t of trades) {
    realized += t.pnl + t.fees;
    fees += t.fees;
  }
  let open = 0;
  for (const t of openTrades) {
    realized += t.realized;
    open += t.unrealized;
    fees += t.fees;
  }
  const equityChange = finalEquity - initialCash;
  const difference = realized + open - fees - equityChange;
  if (!(Math.abs(difference) < RECONCILE_TOLERANCE)) {
    throw new TroError(
      "TRO_ERR_BACKTEST_UNRECONCILED",
      `The backtest does not reconcile: realised ${usd(realized)} + open ${usd(open)} − fees ${usd(fees)} = ${usd(
        realized + open - fees,
      )}, but equity changed by ${usd(equityChange)} (difference ${usd(difference)}).`,
      { hint: "This is an accounting bug in the runtime or a venue; nothing was written." },
    );
  }
  return { realized, open, fees, equityChange, difference };
}

function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}
