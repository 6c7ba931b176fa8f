/**
 * Alpaca trading API v2 and market data v2 shapes, as Alpaca sends them: money, prices and quantities are
 * strings in the trading API ("1455.22"), numbers in the market data API.
 */

export interface AlpacaAccount {
  readonly id: string;
  readonly account_number: string;
  readonly status: string;
  readonly currency: string;
  readonly cash: string;
  readonly buying_power: string;
  readonly regt_buying_power: string;
  readonly daytrading_buying_power: string;
  readonly non_marginable_buying_power: string;
  readonly portfolio_value: string;
  readonly equity: string;
  readonly last_equity: string;
  readonly long_market_value: string;
  readonly short_market_value: string;
  readonly initial_margin: string;
  readonly maintenance_margin: string;
  readonly last_maintenance_margin: string;
  readonly sma: string;
  readonly multiplier: string;
  readonly daytrade_count: number;
  readonly pattern_day_trader: boolean;
  readonly trading_blocked: boolean;
  readonly transfers_blocked: boolean;
  readonly account_blocked: boolean;
  readonly trade_suspended_by_user: boolean;
  readonly shorting_enabled: boolean;
  readonly accrued_fees: string;
  readonly created_at: string;
}

export type AlpacaOrderStatus =
  | "new"
  | "partially_filled"
  | "filled"
  | "done_for_day"
  | "canceled"
  | "expired"
  | "replaced"
  | "pending_cancel"
  | "pending_replace"
  | "pending_new"
  | "accepted"
  | "accepted_for_bidding"
  | "stopped"
  | "rejected"
  | "suspended"
  | "calculated";

export interface AlpacaOrder {
  readonly id: string;
  readonly client_order_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly submitted_at: string;
  readonly filled_at: string | null;
  readonly expired_at: string | null;
  readonly canceled_at: string | null;
  readonly failed_at: string | null;
  readonly replaced_at: string | null;
  readonly replaced_by: string | null;
  readonly replaces: string | null;
  readonly asset_id: string;
  readonly symbol: string;
  readonly asset_class: string;
  readonly notional: string | null;
  readonly qty: string | null;
  readonly filled_qty: string;
  readonly filled_avg_price: string | null;
  readonly order_class: string;
  readonly order_type: string;
  readonly type: "market" | "limit" | "stop" | "stop_limit" | "trailing_stop";
  readonly side: "buy" | "sell";
  readonly time_in_force: "day" | "gtc" | "opg" | "cls" | "ioc" | "fok";
  readonly limit_price: string | null;
  readonly stop_price: string | null;
  readonly status: AlpacaOrderStatus;
  readonly extended_hours: boolean;
  readonly legs: AlpacaOrder[] | null;
  readonly trail_percent: string | null;
  readonly trail_price: string | null;
  readonly hwm: string | null;
}

export interface AlpacaOrderRequest {
  readonly symbol: string;
  readonly qty: string;
  readonly side: "buy" | "sell";
  readonly type: "market" | "limit";
  readonly time_in_force: "day" | "gtc" | "ioc" | "fok" | "opg" | "cls";
  readonly limit_price?: string;
  readonly client_order_id?: string;
  readonly extended_hours?: boolean;
}

export interface AlpacaPosition {
  readonly asset_id: string;
  readonly symbol: string;
  readonly exchange: string;
  readonly asset_class: string;
  readonly asset_marginable: boolean;
  readonly avg_entry_price: string;
  readonly qty: string;
  readonly qty_available: string;
  readonly side: "long" | "short";
  readonly market_value: string;
  readonly cost_basis: string;
  readonly unrealized_pl: string;
  readonly unrealized_plpc: string;
  readonly unrealized_intraday_pl: string;
  readonly unrealized_intraday_plpc: string;
  readonly current_price: string;
  readonly lastday_price: string;
  readonly change_today: string;
}

/** One bar of the market data API (`GET /v2/stocks/{symbol}/bars`). */
export interface AlpacaBar {
  /** RFC 3339 time of the bar's start */
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly n?: number;
  readonly vw?: number;
}

export interface AlpacaBarsPage {
  readonly bars: AlpacaBar[] | null;
  readonly symbol: string;
  readonly next_page_token: string | null;
}

/** Alpaca's error body. */
export interface AlpacaErrorBody {
  readonly code: number;
  readonly message: string;
}
