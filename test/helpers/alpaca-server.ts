/**
 * A local Alpaca API server for tests (127.0.0.1, port 0), faithful to the published shapes: trading API v2
 * (account, orders, positions) with numbers as strings, market data v2 bars with numbers as numbers,
 * `{code, message}` error bodies, 401 for unknown credentials (so a paper key against the live server is
 * refused as by Alpaca), 403 for buying power, 404 for unknown orders, 422 for invalid or uncancelable orders,
 * 204 for an accepted cancel, 207 for cancel-all. Run one with `kind: "paper"` and one with `kind: "live"` to
 * stand for the two base URLs. Every call is recorded so that tests can assert that no order endpoint was
 * reached.
 *
 * Fills: by default a marketable order fills when it is created, at the symbol's price (Alpaca paper fills
 * against live quotes). With `fills: "on-price"` orders wait until the test moves the market with
 * `setPrice`, which is how a replayed bar's open reaches the broker in the parity tests.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface AlpacaCall {
  readonly method: string;
  readonly path: string;
  readonly keyId: string;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly status?: number;
}

export interface AlpacaOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: null;
  canceled_at: string | null;
  failed_at: null;
  replaced_at: null;
  replaced_by: null;
  replaces: null;
  asset_id: string;
  symbol: string;
  asset_class: "us_equity";
  notional: null;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: "";
  order_type: "market" | "limit";
  type: "market" | "limit";
  side: "buy" | "sell";
  time_in_force: string;
  limit_price: string | null;
  stop_price: null;
  status: "new" | "accepted" | "filled" | "canceled";
  extended_hours: boolean;
  legs: null;
  trail_percent: null;
  trail_price: null;
  hwm: null;
}

export interface AlpacaBarJson {
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly n?: number;
  readonly vw?: number;
}

export interface AlpacaServerOptions {
  readonly kind: "paper" | "live";
  /** the credentials the server accepts */
  readonly keys: readonly { keyId: string; secretKey: string }[];
  readonly accountNumber?: string;
  readonly status?: string;
  readonly cash?: number;
  readonly tradingBlocked?: boolean;
  /** when marketable orders fill: at creation (default) or when `setPrice` moves the market */
  readonly fills?: "on-create" | "on-price";
}

export interface AlpacaServer {
  readonly url: string;
  readonly calls: AlpacaCall[];
  readonly orders: AlpacaOrder[];
  /** the price a market order fills at, per symbol (default 100); with `fills: "on-price"` it fills open orders */
  setPrice(symbol: string, price: number): void;
  /** the bars GET /v2/stocks/{symbol}/bars serves (market data API, on this same server) */
  setBars(symbol: string, bars: readonly AlpacaBarJson[]): void;
  /** calls that reached an order endpoint (create, list, get or cancel orders) */
  orderCalls(): AlpacaCall[];
  close(): Promise<void>;
}

/** Alpaca's string numbers; String(n) round-trips a double exactly, so a fill price comes back bit for bit. */
const fmt = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));
const OPEN = new Set(["new", "accepted", "partially_filled", "pending_new"]);
const TIME_IN_FORCE = ["day", "gtc", "opg", "cls", "ioc", "fok"];

export async function startAlpacaServer(options: AlpacaServerOptions): Promise<AlpacaServer> {
  const calls: AlpacaCall[] = [];
  const orders: AlpacaOrder[] = [];
  const prices = new Map<string, number>();
  const bars = new Map<string, AlpacaBarJson[]>();
  const positions = new Map<string, { qty: number; cost: number }>();
  let cash = options.cash ?? 100_000;
  const accountId = randomUUID();
  const accountNumber = options.accountNumber ?? (options.kind === "paper" ? "PA3RS0M2X1YZ" : "612345678");
  const priceOf = (symbol: string) => prices.get(symbol) ?? 100;

  const account = () => {
    const marketValue = [...positions].reduce((sum, [s, p]) => sum + p.qty * priceOf(s), 0);
    const equity = cash + marketValue;
    return {
      id: accountId,
      account_number: accountNumber,
      status: options.status ?? "ACTIVE",
      crypto_status: "ACTIVE",
      currency: "USD",
      buying_power: fmt(equity * 2),
      regt_buying_power: fmt(equity * 2),
      daytrading_buying_power: fmt(equity * 4),
      non_marginable_buying_power: fmt(cash),
      cash: fmt(cash),
      accrued_fees: "0",
      portfolio_value: fmt(equity),
      equity: fmt(equity),
      last_equity: fmt(equity),
      long_market_value: fmt(marketValue),
      short_market_value: "0",
      initial_margin: "0",
      maintenance_margin: "0",
      last_maintenance_margin: "0",
      sma: "0",
      daytrade_count: 0,
      multiplier: "2",
      pattern_day_trader: false,
      trading_blocked: options.tradingBlocked ?? false,
      transfers_blocked: false,
      account_blocked: false,
      shorting_enabled: true,
      trade_suspended_by_user: false,
      created_at: "2024-01-02T15:04:05.000000Z",
    };
  };

  /** Fills an open order at the market price when it is marketable there. */
  const fill = (order: AlpacaOrder) => {
    const price = priceOf(order.symbol);
    if (order.type === "limit") {
      const limit = Number(order.limit_price);
      if ((order.side === "buy" && price > limit) || (order.side === "sell" && price < limit)) return;
    }
    const qty = Number(order.qty);
    const signed = order.side === "buy" ? qty : -qty;
    const held = positions.get(order.symbol) ?? { qty: 0, cost: 0 };
    const nextQty = Math.round((held.qty + signed) * 1e9) / 1e9;
    const reducing = held.qty !== 0 && Math.sign(held.qty) !== Math.sign(signed);
    const cost = reducing ? (nextQty === 0 ? 0 : (held.cost / held.qty) * nextQty) : held.cost + signed * price;
    if (nextQty === 0) positions.delete(order.symbol);
    else positions.set(order.symbol, { qty: nextQty, cost });
    cash -= signed * price;
    const now = new Date().toISOString();
    Object.assign(order, {
      status: "filled",
      filled_qty: order.qty,
      filled_avg_price: fmt(price),
      filled_at: now,
      updated_at: now,
    });
  };

  const position = (symbol: string, p: { qty: number; cost: number }) => {
    const price = priceOf(symbol);
    const avg = p.cost / p.qty;
    return {
      asset_id: assetId(symbol),
      symbol,
      exchange: "ARCA",
      asset_class: "us_equity",
      asset_marginable: true,
      avg_entry_price: fmt(avg),
      qty: fmt(Math.abs(p.qty)),
      qty_available: fmt(Math.abs(p.qty)),
      side: p.qty > 0 ? "long" : "short",
      market_value: fmt(p.qty * price),
      cost_basis: fmt(p.cost),
      unrealized_pl: fmt(p.qty * price - p.cost),
      unrealized_plpc: fmt((price - avg) / avg),
      unrealized_intraday_pl: "0",
      unrealized_intraday_plpc: "0",
      current_price: fmt(price),
      lastday_price: fmt(price),
      change_today: "0",
    };
  };

  const createOrder = (body: Record<string, unknown>): [number, unknown] => {
    const qty = Number(body.qty);
    if (!body.symbol || !Number.isFinite(qty) || qty <= 0) return [422, { code: 40010001, message: "qty must be > 0" }];
    if (!["buy", "sell"].includes(String(body.side))) return [422, { code: 40010001, message: "invalid side" }];
    const type = (body.type ?? "market") as "market" | "limit";
    if (type !== "market" && type !== "limit") return [422, { code: 40010001, message: "invalid order type" }];
    const tif = String(body.time_in_force ?? "day");
    if (!TIME_IN_FORCE.includes(tif)) return [422, { code: 40010001, message: "invalid time_in_force" }];
    if (type === "limit" && body.limit_price === undefined)
      return [422, { code: 40010001, message: "limit_price is required" }];
    const clientId = String(body.client_order_id ?? randomUUID());
    if (clientId.length > 128)
      return [422, { code: 40010001, message: "client_order_id must be no more than 128 characters" }];
    if (orders.some((o) => o.client_order_id === clientId))
      return [422, { code: 40010001, message: "client_order_id must be unique" }];
    if (options.tradingBlocked || (options.status ?? "ACTIVE") !== "ACTIVE")
      return [403, { code: 40310000, message: "account is not authorized to trade" }];
    const price = type === "limit" ? Number(body.limit_price) : priceOf(String(body.symbol));
    if (body.side === "buy" && qty * price > Number(account().buying_power)) {
      return [403, { code: 40310000, message: "insufficient buying power" }];
    }
    const now = new Date().toISOString();
    const order: AlpacaOrder = {
      id: randomUUID(),
      client_order_id: clientId,
      created_at: now,
      updated_at: now,
      submitted_at: now,
      filled_at: null,
      expired_at: null,
      canceled_at: null,
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: assetId(String(body.symbol)),
      symbol: String(body.symbol),
      asset_class: "us_equity",
      notional: null,
      qty: String(body.qty),
      filled_qty: "0",
      filled_avg_price: null,
      order_class: "",
      order_type: type,
      type,
      side: body.side as "buy" | "sell",
      time_in_force: tif,
      limit_price: type === "limit" ? String(body.limit_price) : null,
      stop_price: null,
      status: "accepted",
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
    };
    orders.push(order);
    if ((options.fills ?? "on-create") === "on-create") fill(order);
    return [200, order];
  };

  const listOrders = (query: URLSearchParams): AlpacaOrder[] => {
    const status = query.get("status") ?? "open";
    const limit = Math.min(500, Number(query.get("limit") ?? 50));
    const symbols = query.get("symbols")?.split(",");
    let list = orders.filter((o) => status === "all" || (status === "open" ? OPEN.has(o.status) : !OPEN.has(o.status)));
    if (symbols) list = list.filter((o) => symbols.includes(o.symbol));
    if (query.get("after")) list = list.filter((o) => o.submitted_at > query.get("after")!);
    if (query.get("until")) list = list.filter((o) => o.submitted_at < query.get("until")!);
    if (query.get("direction") !== "asc") list = [...list].reverse();
    return list.slice(0, limit);
  };

  const serveBars = (symbol: string, query: URLSearchParams): [number, unknown] => {
    if (!query.get("timeframe")) return [422, { code: 42210000, message: "timeframe is required" }];
    const start = query.get("start");
    const end = query.get("end");
    const limit = Math.min(10_000, Number(query.get("limit") ?? 1000));
    const offset = Number(query.get("page_token") ?? 0);
    const all = (bars.get(symbol) ?? []).filter(
      (b) => (!start || Date.parse(b.t) >= Date.parse(start)) && (!end || Date.parse(b.t) <= Date.parse(end)),
    );
    const next = offset + limit < all.length ? String(offset + limit) : null;
    return [200, { bars: all.slice(offset, offset + limit), symbol, next_page_token: next }];
  };

  const route = (
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): [number, unknown] => {
    if (method === "GET" && path === "/v2/account") return [200, account()];
    if (method === "GET" && path === "/v2/positions") return [200, [...positions].map(([s, p]) => position(s, p))];
    const positionMatch = path.match(/^\/v2\/positions\/([A-Z.]+)$/);
    if (method === "GET" && positionMatch) {
      const p = positions.get(positionMatch[1]!);
      return p ? [200, position(positionMatch[1]!, p)] : [404, { code: 40410000, message: "position does not exist" }];
    }
    if (method === "POST" && path === "/v2/orders") return createOrder(body);
    if (method === "GET" && path === "/v2/orders") return [200, listOrders(query)];
    if (method === "DELETE" && path === "/v2/orders") {
      const open = orders.filter((o) => OPEN.has(o.status));
      for (const o of open) Object.assign(o, { status: "canceled", canceled_at: new Date().toISOString() });
      return [207, open.map((o) => ({ id: o.id, status: 200, body: o }))];
    }
    if (method === "GET" && path === "/v2/orders:by_client_order_id") {
      const order = orders.find((o) => o.client_order_id === query.get("client_order_id"));
      return order ? [200, order] : [404, { code: 40410000, message: "order not found" }];
    }
    const orderMatch = path.match(/^\/v2\/orders\/([0-9a-f-]+)$/);
    if (orderMatch) {
      const order = orders.find((o) => o.id === orderMatch[1]);
      if (!order) return [404, { code: 40410000, message: "order not found" }];
      if (method === "GET") return [200, order];
      if (method === "DELETE") {
        if (!OPEN.has(order.status))
          return [422, { code: 42210000, message: `order is already in "${order.status}" state` }];
        Object.assign(order, { status: "canceled", canceled_at: new Date().toISOString() });
        return [204, undefined];
      }
    }
    const barsMatch = path.match(/^\/v2\/stocks\/([A-Z.]+)\/bars$/);
    if (method === "GET" && barsMatch) return serveBars(barsMatch[1]!, query);
    return [404, { code: 40410000, message: "endpoint not found" }];
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://localhost");
    const keyId = String(req.headers["apca-api-key-id"] ?? "");
    const secretKey = String(req.headers["apca-api-secret-key"] ?? "");
    let body: Record<string, unknown> = {};
    let status: number;
    let payload: unknown;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const known = options.keys.some((k) => k.keyId === keyId && k.secretKey === secretKey);
      [status, payload] = known
        ? route(req.method ?? "GET", url.pathname, url.searchParams, body)
        : [401, { code: 40110000, message: "request is not authorized" }];
    } catch {
      [status, payload] = [400, { code: 40010000, message: "request body format is invalid" }];
    }
    const query = Object.fromEntries(url.searchParams);
    calls.push({
      method: req.method ?? "GET",
      path: url.pathname,
      keyId,
      ...(raw ? { body } : {}),
      ...(Object.keys(query).length ? { query } : {}),
      status,
    });
    res.writeHead(status, payload === undefined ? {} : { "content-type": "application/json; charset=UTF-8" });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    orders,
    setPrice(symbol, price) {
      prices.set(symbol, price);
      if (options.fills === "on-price") {
        for (const order of orders) if (order.symbol === symbol && OPEN.has(order.status)) fill(order);
      }
    },
    setBars: (symbol, list) => void bars.set(symbol, [...list]),
    orderCalls: () => calls.filter((c) => c.path.startsWith("/v2/orders")),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function assetId(symbol: string): string {
  let h = 0;
  for (const c of symbol) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `b0b6dd9d-8b9b-48a9-ba46-${h.toString(16).padStart(12, "0")}`;
}
