/** The Alpaca REST client against the local Alpaca API server: shapes, headers, status codes, error bodies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlpacaClient, AlpacaError } from "../../src/adapters/alpaca/client.js";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";

const KEY = { keyId: "PKCLIENTTEST000000001", secretKey: "client-secret-value-0000001" };
let server: AlpacaServer;
let client: AlpacaClient;
beforeAll(async () => {
  server = await startAlpacaServer({ kind: "paper", keys: [KEY], cash: 50_000, fills: "on-price" });
  client = new AlpacaClient({ baseUrl: server.url, dataUrl: server.url, credentials: KEY });
});
afterAll(() => server.close());

async function failure(fn: () => Promise<unknown>): Promise<AlpacaError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AlpacaError) return error;
    throw error;
  }
  throw new Error("expected an AlpacaError");
}

describe("AlpacaClient", () => {
  it("reads the account with the key headers, numbers as Alpaca's strings", async () => {
    const account = await client.getAccount();
    expect(account).toMatchObject({
      account_number: "PA3RS0M2X1YZ",
      status: "ACTIVE",
      cash: "50000.0",
      currency: "USD",
    });
    expect(server.calls.at(-1)).toMatchObject({ method: "GET", path: "/v2/account", keyId: KEY.keyId, status: 200 });
  });

  it("places, lists, fetches and cancels orders", async () => {
    server.setPrice("SPY", 400);
    const order = await client.createOrder({
      symbol: "SPY",
      qty: "2",
      side: "buy",
      type: "limit",
      time_in_force: "gtc",
      limit_price: "390",
      client_order_id: "argo-run-1",
    });
    expect(order).toMatchObject({
      client_order_id: "argo-run-1",
      status: "accepted",
      qty: "2",
      filled_qty: "0",
      limit_price: "390",
    });
    expect((await client.listOrders({ status: "open" })).map((o) => o.id)).toEqual([order.id]);
    expect((await client.getOrderByClientId("argo-run-1")).id).toBe(order.id);
    await client.cancelOrder(order.id);
    expect(server.calls.at(-1)).toMatchObject({ method: "DELETE", status: 204 });
    expect((await client.getOrder(order.id)).status).toBe("canceled");
    const again = await failure(() => client.cancelOrder(order.id));
    expect([again.status, again.apiCode, again.code]).toEqual([422, 42210000, "TRO_ERR_BROKER_UNAVAILABLE"]);
  });

  it("a market order fills when the market moves, and becomes a position", async () => {
    const order = await client.createOrder({
      symbol: "SPY",
      qty: "3",
      side: "buy",
      type: "market",
      time_in_force: "day",
      client_order_id: "argo-run-2",
    });
    server.setPrice("SPY", 401.5);
    expect(await client.getOrder(order.id)).toMatchObject({
      status: "filled",
      filled_qty: "3",
      filled_avg_price: "401.5",
    });
    expect(await client.listPositions()).toEqual([
      expect.objectContaining({ symbol: "SPY", qty: "3.0", avg_entry_price: "401.5", side: "long" }),
    ]);
  });

  it("Alpaca's refusals arrive as errors with status, code and message", async () => {
    const broke = await failure(() =>
      client.createOrder({ symbol: "SPY", qty: "1000", side: "buy", type: "market", time_in_force: "day" }),
    );
    expect([broke.status, broke.apiCode, broke.apiMessage]).toEqual([403, 40310000, "insufficient buying power"]);
    const dup = await failure(() =>
      client.createOrder({
        symbol: "SPY",
        qty: "1",
        side: "buy",
        type: "market",
        time_in_force: "day",
        client_order_id: "argo-run-2",
      }),
    );
    expect([dup.status, dup.apiMessage]).toEqual([422, "client_order_id must be unique"]);
    const missing = await failure(() => client.getOrder("00000000-0000-0000-0000-000000000000"));
    expect([missing.status, missing.apiMessage]).toEqual([404, "order not found"]);
    expect(missing.message).toBe(
      "Alpaca answered 404 to GET /v2/orders/00000000-0000-0000-0000-000000000000: order not found.",
    );
  });

  it("rejected credentials are a guard refusal that never shows the key", async () => {
    const wrong = new AlpacaClient({
      baseUrl: server.url,
      credentials: { keyId: "PKWRONG0000000000001", secretKey: "wrong-secret-value-000000001" },
    });
    const error = await failure(() => wrong.getAccount());
    expect([error.status, error.apiCode, error.code]).toEqual([401, 40110000, "TRO_ERR_GUARD_REFUSED"]);
    expect(`${error.message} ${error.hint}`).not.toMatch(/PKWRONG|wrong-secret/);
  });

  it("an unreachable broker is unavailable, not a crash", async () => {
    const gone = new AlpacaClient({ baseUrl: "http://127.0.0.1:9", credentials: KEY, timeoutMs: 2000 });
    const error = await failure(() => gone.getAccount());
    expect([error.status, error.code]).toEqual([0, "TRO_ERR_BROKER_UNAVAILABLE"]);
    expect(error.message).toBe("Alpaca did not answer GET /v2/account at http://127.0.0.1:9.");
  });

  it("resolves credentials once, lazily, through reveal()", async () => {
    let resolved = 0;
    const secret = (v: string) => ({ reveal: () => v, toString: () => "[redacted]" });
    const lazy = new AlpacaClient({
      baseUrl: server.url,
      credentials: async () => {
        resolved++;
        return { keyId: secret(KEY.keyId), secretKey: secret(KEY.secretKey) };
      },
    });
    expect(resolved).toBe(0);
    await lazy.getAccount();
    await lazy.listPositions();
    expect(resolved).toBe(1);
  });

  it("reads bars from the market data API, page by page", async () => {
    const bars = Array.from({ length: 5 }, (_, i) => ({
      t: `2024-01-0${i + 2}T05:00:00Z`,
      o: 1,
      h: 2,
      l: 1,
      c: 2,
      v: 10,
    }));
    server.setBars("SPY", bars);
    const first = await client.getBars("SPY", { timeframe: "1Day", limit: 3 });
    expect(first.bars).toEqual(bars.slice(0, 3));
    const rest = await client.getBars("SPY", { timeframe: "1Day", limit: 3, pageToken: first.next_page_token! });
    expect(rest).toEqual({ bars: bars.slice(3), symbol: "SPY", next_page_token: null });
  });
});
