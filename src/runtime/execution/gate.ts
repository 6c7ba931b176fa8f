/**
 * The order gate port: the last word before an order that passed risk reaches a venue. The trading node puts
 * its order permit here (the orders switch and the executor lease); backtests have none. `decide` answers from
 * what the permit last saw, without I/O, on the kernel's path; a venue that sends over the network asks
 * `beforeSend` immediately before each send, which confirms the fencing token with the lease store.
 */

export type GateDecision =
  | { readonly ok: true; readonly token: number }
  | { readonly ok: false; readonly rule: "shadow" | "lease"; readonly reason: string };

export interface OrderGate {
  decide(): GateDecision;
  beforeSend(): Promise<GateDecision>;
}

/** The client order id a venue sends: the fencing token first, so a broker or an audit can order senders. */
export function fencedOrderId(token: number, orderId: string): string {
  return token > 0 ? `t${token}-${orderId}` : orderId;
}
