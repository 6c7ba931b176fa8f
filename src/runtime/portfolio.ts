/**
 * Cash, positions and round-trip trades, fed by fills from whichever venue runs. The same accounting in every
 * mode is what keeps paper balances from drifting away from backtests (the Hummingbot paper-balance bugs).
 * Equity is kept up to date incrementally: O(1) per bar.
 */
import { roundQty } from "./orders.js";
import { TradeLog } from "./trade-log.js";
import type { Side } from "./types.js";

export class Position {
  qty = 0;
  avgPrice = 0;
  lastPrice = Number.NaN;
  realizedPnl = 0;
  fees = 0;

  constructor(readonly symbol: string) {}

  get marketValue(): number {
    return this.qty === 0 ? 0 : this.qty * this.lastPrice;
  }

  get unrealizedPnl(): number {
    return this.qty === 0 ? 0 : (this.lastPrice - this.avgPrice) * this.qty;
  }
}

/** One round trip: from flat to flat (or to a flip), with its net result. */
export interface Trade {
  readonly symbol: string;
  readonly direction: "long" | "short";
  readonly entryTime: number;
  readonly exitTime: number;
  readonly qty: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly fees: number;
  /** realized profit net of fees */
  readonly pnl: number;
  readonly returnPct: number;
  /** why it closed: the closing order's reason, `dust`, or `end of data` */
  readonly exitReason: string;
}

/** A round trip still open: marked to the last price. */
export interface OpenTrade {
  readonly symbol: string;
  readonly direction: "long" | "short";
  readonly entryTime: number;
  readonly qty: number;
  readonly entryPrice: number;
  readonly lastPrice: number;
  /** realised on the part already closed (gross of fees) */
  readonly realized: number;
  /** (last price − average price) × held quantity */
  readonly unrealized: number;
  readonly fees: number;
  /** realised + unrealised − fees */
  readonly pnl: number;
}

/**
 * When a position is too small to trade, per instrument: below `lotSize` units or `minNotional` of value it
 * counts as flat, and the simulated venue closes it out at the fill price that left it (0: only exactly zero).
 */
export interface DustThreshold {
  readonly lotSize: number;
  readonly minNotional: number;
}

/** A round trip being built; one per symbol, reused from trip to trip (`open` says whether one is under way). */
interface OpenTrip {
  open: boolean;
  entryTime: number;
  direction: 1 | -1;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  fees: number;
  realized: number;
}

export class Portfolio {
  /** (starts as a number, not undefined: V8 keeps a number field unboxed only if its first value is one) */
  cash = 0;
  /** Σ qty × last price over all positions */
  value = 0;
  feesPaid = 0;
  fills = 0;
  /** positions closed out as dust (see `DustThreshold`) */
  dustCloses = 0;
  readonly positions: Position[];
  readonly #trades: TradeLog;
  readonly #trips: OpenTrip[];

  constructor(
    readonly symbols: readonly string[],
    initialCash: number,
    /** per symbol index; none: a position is flat only at exactly zero */
    readonly dust?: readonly (DustThreshold | undefined)[],
  ) {
    this.cash = initialCash;
    this.positions = symbols.map((s) => new Position(s));
    this.#trades = new TradeLog(symbols);
    this.#trips = symbols.map(() => ({
      open: false,
      entryTime: 0,
      direction: 1,
      entryQty: 0,
      entryNotional: 0,
      exitQty: 0,
      exitNotional: 0,
      fees: 0,
      realized: 0,
    }));
  }

  /** The round trips closed so far, oldest first. */
  get trades(): readonly Trade[] {
    return this.#trades.list();
  }

  get equity(): number {
    return this.cash + this.value;
  }

  /** New last price for a symbol (every bar). */
  mark(symbolIndex: number, price: number): void {
    this.markPosition(this.positions[symbolIndex]!, price);
  }

  /** `mark` for one of `positions`, already looked up (a one-symbol backtest looks it up once). */
  markPosition(p: Position, price: number): void {
    if (p.qty !== 0) this.value += p.qty * (price - p.lastPrice);
    p.lastPrice = price;
  }

  /** Starts from a broker's positions (live and paper accounts). */
  seed(symbolIndex: number, qty: number, avgPrice: number, time: number): void {
    const p = this.positions[symbolIndex]!;
    if (Number.isNaN(p.lastPrice)) p.lastPrice = avgPrice;
    this.value += (qty - p.qty) * p.lastPrice;
    p.qty = qty;
    p.avgPrice = avgPrice;
    if (qty === 0) this.#trips[symbolIndex]!.open = false;
    else this.#open(symbolIndex, time, qty > 0 ? 1 : -1, Math.abs(qty), avgPrice, 0);
  }

  applyFill(symbolIndex: number, side: Side, qty: number, price: number, fee: number, time: number, reason = ""): void {
    const p = this.positions[symbolIndex]!;
    if (Number.isNaN(p.lastPrice)) p.lastPrice = price;
    const dir = side === "buy" ? 1 : -1;
    const before = p.qty;
    this.cash -= dir * qty * price + fee;
    this.feesPaid += fee;
    this.fills++;
    p.fees += fee;
    if (before === 0 || Math.sign(before) === dir) {
      const held = Math.abs(before);
      p.avgPrice = (p.avgPrice * held + price * qty) / (held + qty);
      p.qty = roundQty(before + dir * qty);
      const trip = this.#trips[symbolIndex]!;
      if (trip.open) {
        trip.entryQty += qty;
        trip.entryNotional += qty * price;
        trip.fees += fee;
      } else this.#open(symbolIndex, time, dir, qty, price, fee);
    } else {
      const closing = Math.min(qty, Math.abs(before));
      const realized = (price - p.avgPrice) * closing * Math.sign(before);
      p.realizedPnl += realized;
      p.qty = roundQty(before + dir * closing);
      const trip = this.#trips[symbolIndex]!;
      const share = closing / qty;
      trip.exitQty += closing;
      trip.exitNotional += closing * price;
      trip.fees += fee * share;
      trip.realized += realized;
      if (p.qty !== 0 && this.dust !== undefined && this.#isDust(symbolIndex, p.qty, price)) {
        // the rest is too small to trade: sold at the same price, without a fee, and the trip closes
        const rest = p.qty;
        const gain = (price - p.avgPrice) * rest;
        this.cash += rest * price;
        p.realizedPnl += gain;
        trip.exitQty += Math.abs(rest);
        trip.exitNotional += Math.abs(rest) * price;
        trip.realized += gain;
        p.qty = 0;
        this.dustCloses++;
        this.#close(symbolIndex, time, "dust");
        p.avgPrice = 0;
      } else if (p.qty === 0) {
        this.#close(symbolIndex, time, reason);
        p.avgPrice = 0;
        const rest = roundQty(qty - closing);
        if (rest > 0) {
          p.qty = dir * rest;
          p.avgPrice = price;
          this.#open(symbolIndex, time, dir, rest, price, fee * (1 - share));
        }
      }
    }
    this.value += (p.qty - before) * p.lastPrice;
  }

  #isDust(symbolIndex: number, qty: number, price: number): boolean {
    const d = this.dust?.[symbolIndex];
    if (d === undefined) return false;
    const held = Math.abs(qty);
    return held < d.lotSize || held * price < d.minNotional;
  }

  /** The round trips still open, marked to each symbol's last price. */
  openTrades(): OpenTrade[] {
    const out: OpenTrade[] = [];
    this.#trips.forEach((trip, i) => {
      const p = this.positions[i]!;
      if (!trip.open || p.qty === 0) return;
      const unrealized = p.unrealizedPnl;
      out.push({
        symbol: this.symbols[i]!,
        direction: trip.direction === 1 ? "long" : "short",
        entryTime: trip.entryTime,
        qty: Math.abs(p.qty),
        entryPrice: trip.entryNotional / trip.entryQty,
        lastPrice: p.lastPrice,
        realized: trip.realized,
        unrealized,
        fees: trip.fees,
        pnl: trip.realized + unrealized - trip.fees,
      });
    });
    return out;
  }

  #open(symbolIndex: number, time: number, direction: 1 | -1, qty: number, price: number, fee: number): void {
    const trip = this.#trips[symbolIndex]!;
    trip.open = true;
    trip.entryTime = time;
    trip.direction = direction;
    trip.entryQty = qty;
    trip.entryNotional = qty * price;
    trip.exitQty = 0;
    trip.exitNotional = 0;
    trip.fees = fee;
    trip.realized = 0;
  }

  #close(symbolIndex: number, time: number, exitReason: string): void {
    const trip = this.#trips[symbolIndex]!;
    trip.open = false;
    const pnl = trip.realized - trip.fees;
    this.#trades.add(
      symbolIndex,
      trip.direction,
      trip.entryTime,
      time,
      trip.entryQty,
      trip.entryNotional / trip.entryQty,
      trip.exitNotional / trip.exitQty,
      trip.fees,
      pnl,
      pnl / trip.entryNotional,
      exitReason,
    );
  }
}
