/**
 * Alpaca as an execution venue (paper or live account). Orders passed risk in the kernel already; here they
 * are queued and sent on `flush()` — each after the order permit confirmed its fencing token, with the kernel's
 * order id prefixed by that token as `client_order_id` — and fills are fetched on `sync()` and reported at the kernel's next step, where a simulated broker would fill. Before anything,
 * `open()` runs the injected account guards, then reads the account and its positions: a refusal leaves every
 * order endpoint untouched.
 */
import { TroError } from "../../errors.js";
import type { BarView } from "../../runtime/data/bars.js";
import { fencedOrderId, type OrderGate } from "../../runtime/execution/gate.js";
import type { ExecutionVenue, VenueListener, VenueSnapshot } from "../../runtime/execution/venue.js";
import { type Order, roundQty } from "../../runtime/orders.js";
import type { Portfolio } from "../../runtime/portfolio.js";
import { type AlpacaClient, AlpacaError } from "./client.js";
import type { AlpacaAccount, AlpacaOrder } from "./types.js";

export interface AlpacaVenueOptions {
  readonly client: AlpacaClient;
  /** what the binding says the account is; the guards check the broker agrees */
  readonly account: "paper" | "live";
  /** the account guards (accounts area); throws TRO_ERR_GUARD_REFUSED. Runs first in `open()`. */
  readonly guard?: () => Promise<void>;
  readonly timeInForce?: "day" | "gtc";
  /** the order permit, asked immediately before each order is sent (the trading node's lease check) */
  readonly gate?: OrderGate;
}

type Report =
  | { readonly kind: "fill"; readonly order: Order; readonly qty: number; readonly price: number }
  | { readonly kind: "reject"; readonly order: Order; readonly reason: string; readonly rule?: "lease" }
  | { readonly kind: "canceled"; readonly order: Order }
  | { readonly kind: "error"; readonly message: string };

type Outgoing = { readonly kind: "submit"; readonly order: Order } | { readonly kind: "cancel"; readonly order: Order };

const TERMINAL_WITHOUT_FILL = new Set(["canceled", "expired", "rejected", "suspended", "done_for_day"]);
/** Orders fetched per sync; more open orders than this are fetched one by one. */
export const SYNC_PAGE = 500;

export class AlpacaVenue implements ExecutionVenue {
  readonly name: string;
  readonly account: "paper" | "live";
  #listener: VenueListener | undefined;
  #opened = false;
  readonly #outbox: Outgoing[] = [];
  readonly #reports: Report[] = [];
  /** orders the broker accepted and that may still fill, by client order id */
  readonly #working = new Map<string, { order: Order; filled: number; cost: number }>();

  constructor(readonly options: AlpacaVenueOptions) {
    this.account = options.account;
    this.name = `alpaca-${options.account}`;
  }

  attach(listener: VenueListener, _portfolio: Portfolio): void {
    this.#listener = listener;
  }

  async open(): Promise<VenueSnapshot> {
    await this.options.guard?.();
    const account = await this.options.client.getAccount();
    ensureTradable(account);
    const positions = await this.options.client.listPositions();
    this.#opened = true;
    return {
      cash: Number(account.cash),
      positions: positions.map((p) => ({ symbol: p.symbol, qty: Number(p.qty), avgPrice: Number(p.avg_entry_price) })),
      description: `${this.account} account ${account.account_number} (${account.status})`,
    };
  }

  submit(order: Order): void {
    this.#outbox.push({ kind: "submit", order });
  }

  cancel(order: Order): void {
    this.#outbox.push({ kind: "cancel", order });
  }

  onBar(_bar: BarView): void {
    if (this.#reports.length) this.drain();
  }

  drain(): void {
    const listener = this.#listener!;
    for (const report of this.#reports.splice(0)) {
      if (report.kind === "fill") listener.fill(report.order, report.qty, report.price, 0);
      else if (report.kind === "reject") listener.reject(report.order, report.reason, report.rule ?? "venue");
      else if (report.kind === "canceled") listener.canceled(report.order);
      else listener.error(report.message);
    }
  }

  async flush(): Promise<void> {
    while (this.#outbox.length) {
      const next = this.#outbox.shift()!;
      if (!this.#opened) {
        throw new TroError("TRO_ERR_INTERNAL", "The Alpaca venue was asked to send an order before open().");
      }
      if (next.kind === "submit") await this.#send(next.order);
      else await this.#cancel(next.order);
    }
  }

  async sync(): Promise<void> {
    if (this.#working.size === 0) return;
    let orders: AlpacaOrder[];
    try {
      orders = await this.options.client.listOrders({ status: "all", limit: SYNC_PAGE, direction: "desc" });
    } catch (error) {
      this.#reports.push({ kind: "error", message: (error as Error).message });
      return;
    }
    const byClientId = new Map(orders.map((o) => [o.client_order_id, o]));
    for (const [id, entry] of this.#working) {
      const remote = byClientId.get(id) ?? (await this.#fetchOne(entry.order));
      if (remote) this.#apply(entry, remote);
    }
  }

  async close(): Promise<void> {}

  async #send(order: Order): Promise<void> {
    const gate = this.options.gate;
    if (gate) {
      const permit = await gate.beforeSend();
      if (!permit.ok) {
        this.#reports.push({ kind: "reject", order, reason: permit.reason, rule: "lease" });
        return;
      }
      order.token = permit.token;
    }
    order.clientOrderId = fencedOrderId(order.token, order.id);
    try {
      const created = await this.options.client.createOrder({
        symbol: order.symbol,
        qty: String(order.qty),
        side: order.side,
        type: order.type,
        time_in_force: this.options.timeInForce ?? (order.type === "market" ? "day" : "gtc"),
        ...(order.type === "limit" ? { limit_price: String(order.limitPrice) } : {}),
        client_order_id: order.clientOrderId,
      });
      order.venueOrderId = created.id;
      order.status = "accepted";
      const entry = { order, filled: 0, cost: 0 };
      this.#working.set(order.clientOrderId, entry);
      this.#apply(entry, created);
    } catch (error) {
      const reason = error instanceof AlpacaError ? error.apiMessage || error.message : String(error);
      this.#reports.push({ kind: "reject", order, reason: `alpaca: ${reason}` });
    }
  }

  async #cancel(order: Order): Promise<void> {
    if (!order.venueOrderId) {
      // never sent: it dies here
      const i = this.#outbox.findIndex((o) => o.kind === "submit" && o.order === order);
      if (i >= 0) this.#outbox.splice(i, 1);
      this.#reports.push({ kind: "canceled", order });
      return;
    }
    try {
      await this.options.client.cancelOrder(order.venueOrderId);
    } catch (error) {
      // 422: not cancelable any more (it filled); the next sync reports what happened
      if (!(error instanceof AlpacaError && error.status === 422)) {
        this.#reports.push({ kind: "error", message: (error as Error).message });
      }
    }
  }

  async #fetchOne(order: Order): Promise<AlpacaOrder | undefined> {
    try {
      return await this.options.client.getOrder(order.venueOrderId);
    } catch (error) {
      this.#reports.push({ kind: "error", message: (error as Error).message });
      return undefined;
    }
  }

  /** Turns the broker's cumulative fill into the delta since the last look. */
  #apply(entry: { order: Order; filled: number; cost: number }, remote: AlpacaOrder): void {
    const filled = Number(remote.filled_qty);
    if (filled > entry.filled) {
      const avg = Number(remote.filled_avg_price ?? 0);
      const cost = filled * avg;
      const qty = roundQty(filled - entry.filled);
      // the first fill's price is the average itself: no rounding through cost arithmetic
      const price = entry.filled === 0 ? avg : (cost - entry.cost) / qty;
      entry.filled = filled;
      entry.cost = cost;
      this.#reports.push({ kind: "fill", order: entry.order, qty, price });
    }
    if (remote.status === "filled") this.#working.delete(entry.order.clientOrderId);
    else if (TERMINAL_WITHOUT_FILL.has(remote.status)) {
      this.#working.delete(entry.order.clientOrderId);
      if (remote.status === "rejected")
        this.#reports.push({ kind: "reject", order: entry.order, reason: "alpaca: rejected" });
      else this.#reports.push({ kind: "canceled", order: entry.order });
    }
  }
}

/** @throws TroError TRO_ERR_GUARD_REFUSED when the account cannot trade */
function ensureTradable(account: AlpacaAccount): void {
  const problems = [
    account.status !== "ACTIVE" ? `status is ${account.status}` : "",
    account.trading_blocked ? "trading is blocked" : "",
    account.account_blocked ? "the account is blocked" : "",
    account.trade_suspended_by_user ? "trading is suspended by the user" : "",
  ].filter(Boolean);
  if (problems.length) {
    throw new TroError(
      "TRO_ERR_GUARD_REFUSED",
      `Alpaca account ${account.account_number} cannot trade: ${problems.join(", ")}.`,
      {
        hint: "Resolve it in the Alpaca dashboard before starting.",
      },
    );
  }
}
