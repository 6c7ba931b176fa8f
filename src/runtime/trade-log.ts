/**
 * Why: a backtest closes thousands of round trips, and an object per trade on the kernel's path (eleven fields,
 * seven of them boxed numbers, all kept to the end) made the collector copy them while the bars ran. Closed
 * trades are written into growing typed columns instead, and become `Trade` objects only when someone reads
 * them (the report, a sweep's metrics, a service's snapshot), once each.
 */
import type { Trade } from "./portfolio.js";

export class TradeLog {
  count = 0;
  #entryTime = new Float64Array(16);
  #exitTime = new Float64Array(16);
  #qty = new Float64Array(16);
  #entryPrice = new Float64Array(16);
  #exitPrice = new Float64Array(16);
  #fees = new Float64Array(16);
  #pnl = new Float64Array(16);
  #returnPct = new Float64Array(16);
  #symbol = new Int32Array(16);
  /** 1 long, −1 short */
  #direction = new Int8Array(16);
  readonly #reasons: string[] = [];
  /** the trades read so far, as objects */
  readonly #objects: Trade[] = [];

  constructor(readonly symbols: readonly string[]) {}

  add(
    symbolIndex: number,
    direction: 1 | -1,
    entryTime: number,
    exitTime: number,
    qty: number,
    entryPrice: number,
    exitPrice: number,
    fees: number,
    pnl: number,
    returnPct: number,
    exitReason: string,
  ): void {
    const k = this.count;
    if (k === this.#qty.length) this.#grow();
    this.#symbol[k] = symbolIndex;
    this.#direction[k] = direction;
    this.#entryTime[k] = entryTime;
    this.#exitTime[k] = exitTime;
    this.#qty[k] = qty;
    this.#entryPrice[k] = entryPrice;
    this.#exitPrice[k] = exitPrice;
    this.#fees[k] = fees;
    this.#pnl[k] = pnl;
    this.#returnPct[k] = returnPct;
    this.#reasons.push(exitReason);
    this.count = k + 1;
  }

  /** Every trade closed so far, oldest first (the same array, grown, on every call). */
  list(): Trade[] {
    const out = this.#objects;
    for (let k = out.length; k < this.count; k++) {
      out.push({
        symbol: this.symbols[this.#symbol[k]!]!,
        direction: this.#direction[k] === 1 ? "long" : "short",
        entryTime: this.#entryTime[k]!,
        exitTime: this.#exitTime[k]!,
        qty: this.#qty[k]!,
        entryPrice: this.#entryPrice[k]!,
        exitPrice: this.#exitPrice[k]!,
        fees: this.#fees[k]!,
        pnl: this.#pnl[k]!,
        returnPct: this.#returnPct[k]!,
        exitReason: this.#reasons[k]!,
      });
    }
    return out;
  }

  #grow(): void {
    const size = this.#qty.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.#entryTime = f64(this.#entryTime);
    this.#exitTime = f64(this.#exitTime);
    this.#qty = f64(this.#qty);
    this.#entryPrice = f64(this.#entryPrice);
    this.#exitPrice = f64(this.#exitPrice);
    this.#fees = f64(this.#fees);
    this.#pnl = f64(this.#pnl);
    this.#returnPct = f64(this.#returnPct);
    const symbol = new Int32Array(size);
    symbol.set(this.#symbol);
    this.#symbol = symbol;
    const direction = new Int8Array(size);
    direction.set(this.#direction);
    this.#direction = direction;
  }
}
