/**
 * Live mode: real money. A broker's live account (its guards ran in `venue.open()`), a live feed, the real
 * clock. Nothing simulated is accepted here, and replayed data never drives real orders.
 */
import { TroError } from "../../errors.js";
import { type SessionHandle, type SessionOptions, startSession } from "./session.js";

/**
 * Starts a live run.
 * @throws TroError TRO_ERR_GUARD_REFUSED for a paper or simulated venue, or a replayed feed
 */
export async function runLive<P, S>(options: SessionOptions<P, S>): Promise<SessionHandle<P, S>> {
  if (options.venue.account !== "live") {
    throw new TroError("TRO_ERR_GUARD_REFUSED", `Live mode needs a live broker account, not ${options.venue.name}.`, {
      hint: "Bind a live account (accounts.<env>.mode: live) or run in paper mode.",
    });
  }
  if (options.feed.kind !== "live" || options.feed.clock === "bars") {
    throw new TroError("TRO_ERR_GUARD_REFUSED", "Live mode refuses replayed data: real orders need live prices.", {
      hint: "Use a live data source (data.source: alpaca).",
    });
  }
  return startSession("live", options);
}
