/**
 * A local Alpaca trading API v2 server, faithful to the published shapes: numbers as strings, `{code, message}`
 * error bodies, 401 for unknown credentials (so a paper key against the live server is refused as by Alpaca).
 * Run one with `kind: "paper"` and one with `kind: "live"` to stand for the two base URLs. Every call is
 * recorded so that tests can assert that no order endpoint was reached.
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
}

export interface AlpacaOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  canceled_at: string | null;
  symbol: string;
  asset_class: "us_equity";
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
}

export interface AlpacaServerOptions {
  readonly kind: "paper" | "live";
  /** the credentials the server accepts */
  readonly keys: readonly { keyId: string; secretKey: string }[];
  readonly accountNumber?: string;
  readonly status?: string;
  readonly cash?: number;
}

export interface AlpacaServer {
  readonly url: string;
  readonly calls: AlpacaCall[];
  readonly orders: AlpacaOrder[];
  /** the price a market order fills at, per symbol (default 100) */
  setPrice(symbol: string, price: number): void;
  /** calls that reached an order endpoint (create, list, get or cancel orders) */
  orderCalls(): AlpacaCall[];
  close(): Promise<void>;
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

export async function startAlpacaServer(options: AlpacaServerOptions): Promise<AlpacaServer> {
  const calls: AlpacaCall[] = [];
  const orders: AlpacaOrder[] = [];
  const prices = new Map<string, number>();
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
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      shorting_enabled: true,
      trade_suspended_by_user: false,
      created_at: "2024-01-02T15:04:05.000000Z",
    };
  };

  const fill = (order: AlpacaOrder) => {
    const price = priceOf(order.symbol);
    if (order.type === "limit") {
      const limit = Number(order.limit_price);
      if ((order.side === "buy" && price > limit) || (order.side === "sell" && price < limit)) return;
    }
    const qty = Number(order.qty);
    const signed = order.side === "buy" ? qty : -qty;
    const held = positions.get(order.symbol) ?? { qty: 0, cost: 0 };
    const next = { qty: held.qty + signed, cost: held.cost + signed * price };
    if (next.qty === 0) positions.delete(order.symbol);
    else positions.set(order.symbol, next);
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
      asset_id: randomUUID(),
      symbol,
      exchange: "ARCA",
      asset_class: "us_equity",
      avg_entry_price: fmt(avg),
      qty: fmt(Math.abs(p.qty)),
      qty_available: fmt(Math.abs(p.qty)),
      side: p.qty > 0 ? "long" : "short",
      market_value: fmt(p.qty * price),
      cost_basis: fmt(p.cost),
      unrealized_pl: fmt(p.qty * price - p.cost),
      unrealized_plpc: fmt((price - avg) / avg),
      current_price: fmt(price),
      lastday_price: fmt(price),
      change_today: "0",
    };
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
    if (method === "POST" && path === "/v2/orders") {
      const qty = Number(body.qty);
      if (!body.symbol || !Number.isFinite(qty) || qty <= 0)
        return [422, { code: 40010001, message: "qty must be > 0" }];
      if (!["buy", "sell"].includes(String(body.side))) return [422, { code: 40010001, message: "invalid side" }];
      const type = (body.type ?? "market") as "market" | "limit";
      if (type === "limit" && body.limit_price === undefined)
        return [422, { code: 40010001, message: "limit_price is required" }];
      if (body.side === "buy" && qty * priceOf(String(body.symbol)) > Number(account().buying_power)) {
        return [403, { code: 40310000, message: "insufficient buying power" }];
      }
      const now = new Date().toISOString();
      const order: AlpacaOrder = {
        id: randomUUID(),
        client_order_id: String(body.client_order_id ?? randomUUID()),
        created_at: now,
        updated_at: now,
        submitted_at: now,
        filled_at: null,
        canceled_at: null,
        symbol: String(body.symbol),
        asset_class: "us_equity",
        qty: String(body.qty),
        filled_qty: "0",
        filled_avg_price: null,
        order_class: "",
        order_type: type,
        type,
        side: body.side as "buy" | "sell",
        time_in_force: String(body.time_in_force ?? "day"),
        limit_price: type === "limit" ? String(body.limit_price) : null,
        stop_price: null,
        status: "accepted",
        extended_hours: false,
      };
      orders.push(order);
      fill(order);
      return [200, order];
    }
    if (method === "GET" && path === "/v2/orders") {
      const status = query.get("status") ?? "open";
      const open = (o: AlpacaOrder) => o.status === "new" || o.status === "accepted";
      return [200, orders.filter((o) => status === "all" || (status === "open" ? open(o) : !open(o)))];
    }
    const orderMatch = path.match(/^\/v2\/orders\/([0-9a-f-]+)$/);
    if (orderMatch) {
      const order = orders.find((o) => o.id === orderMatch[1]);
      if (!order) return [404, { code: 40410000, message: "order not found" }];
      if (method === "GET") return [200, order];
      if (method === "DELETE") {
        if (order.status === "filled") return [422, { code: 42210000, message: 'order is already in "filled" state' }];
        Object.assign(order, { status: "canceled", canceled_at: new Date().toISOString() });
        return [204, undefined];
      }
    }
    return [404, { code: 40410000, message: "endpoint not found" }];
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://localhost");
    const keyId = String(req.headers["apca-api-key-id"] ?? "");
    const secretKey = String(req.headers["apca-api-secret-key"] ?? "");
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    calls.push({ method: req.method ?? "GET", path: url.pathname, keyId, ...(raw ? { body } : {}) });
    const known = options.keys.some((k) => k.keyId === keyId && k.secretKey === secretKey);
    const [status, payload] = known
      ? route(req.method ?? "GET", url.pathname, url.searchParams, body)
      : [401, { code: 40110000, message: "request is not authorized" }];
    res.writeHead(status, payload === undefined ? {} : { "content-type": "application/json" });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    orders,
    setPrice: (symbol, price) => void prices.set(symbol, price),
    orderCalls: () => calls.filter((c) => c.path.startsWith("/v2/orders")),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
