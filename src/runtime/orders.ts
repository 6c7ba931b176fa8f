/** Orders as the kernel, the venues and the strategy see them: one object per order, updated in place. */
import type { OrderStatus, OrderType, Side } from "./types.js";

export type OrderDescription = {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: OrderType;
  readonly limitPrice: number | null;
  readonly reason: string;
};

export class Order {
  status: OrderStatus = "submitted";
  filledQty = 0;
  avgFillPrice = 0;
  /** why the venue refused it, when it did */
  rejectReason = "";
  /** the venue's own id (Alpaca's order id); empty for simulated venues */
  venueOrderId = "";
  /** the executor lease's fencing token the order was permitted under (0: no lease) */
  token = 0;
  /** the id sent to the venue: the order id, prefixed with the fencing token when there is one */
  clientOrderId = "";

  #id: string | undefined;

  constructor(
    readonly idPrefix: string,
    /** 1, 2, 3 … within a run */
    readonly seq: number,
    readonly symbol: string,
    readonly symbolIndex: number,
    readonly side: Side,
    readonly qty: number,
    readonly type: OrderType,
    readonly limitPrice: number,
    readonly createdAt: number,
    readonly reason: string,
  ) {}

  /** client order id: `<strategy>-<run>-<seq>`, deterministic for a run, sent to the broker as-is */
  get id(): string {
    if (this.#id === undefined) this.#id = this.idPrefix + this.seq;
    return this.#id;
  }

  get remaining(): number {
    return this.qty - this.filledQty;
  }

  get isOpen(): boolean {
    return this.status === "submitted" || this.status === "accepted" || this.status === "partially_filled";
  }

  /** A plain description for records and JSON (one fixed shape: cheap to build, cheap to store). */
  describe(): OrderDescription {
    return {
      id: this.id,
      symbol: this.symbol,
      side: this.side,
      qty: this.qty,
      type: this.type,
      limitPrice: this.type === "limit" ? this.limitPrice : null,
      reason: this.reason,
    };
  }
}

/** Quantities are rounded to this many decimals so that fractional arithmetic leaves no dust. */
export const QTY_DECIMALS = 9;
const QTY_SCALE = 10 ** QTY_DECIMALS;

export function roundQty(qty: number): number {
  return Math.round(qty * QTY_SCALE) / QTY_SCALE;
}

/** Removes one order from a list, keeping the others in order (no splice: it is a runtime call). */
export function removeOrder(list: Order[], order: Order): boolean {
  const i = list.indexOf(order);
  if (i < 0) return false;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j]!;
  list.pop();
  return true;
}

/** Drops the orders that are no longer open, keeping the others in order. */
export function removeClosed(list: Order[]): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) if (list[i]!.isOpen) list[kept++] = list[i]!;
  while (list.length > kept) list.pop();
}
