/**
 * Paper mode: a replay of archived bars against the simulated broker (offline, the development default), or
 * a live feed against a broker's paper account. Same kernel, same risk layer as a backtest.
 */
import { TroError } from "../../errors.js";
import { type SessionHandle, type SessionOptions, startSession } from "./session.js";

/**
 * Starts a paper run.
 * @throws TroError TRO_ERR_GUARD_REFUSED when the venue trades real money
 */
export async function runPaper<P, S>(options: SessionOptions<P, S>): Promise<SessionHandle<P, S>> {
  if (options.venue.account !== "paper") {
    throw new TroError("TRO_ERR_GUARD_REFUSED", `Paper mode refuses ${options.venue.name}: it trades real money.`, {
      hint: "Bind a paper account for this environment, or run in live mode where that is allowed.",
    });
  }
  return startSession("paper", options);
}
