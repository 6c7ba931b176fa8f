/**
 * A REST client for Alpaca's trading API v2 (account, orders, positions) and market data v2 (bars). Paper
 * and live differ only in the base URL and the key pair; both are explicit here (no default to live, unlike
 * the JS SDK). Keys are read at the moment a request is sent and never appear in errors or logs.
 */
import { TroError } from "../../errors.js";
import type {
  AlpacaAccount,
  AlpacaBarsPage,
  AlpacaErrorBody,
  AlpacaOrder,
  AlpacaOrderRequest,
  AlpacaPosition,
} from "./types.js";

export const ALPACA_PAPER_URL = "https://paper-api.alpaca.markets";
export const ALPACA_LIVE_URL = "https://api.alpaca.markets";
export const ALPACA_DATA_URL = "https://data.alpaca.markets";
/** Per request; a broker that does not answer in this time counts as unavailable. */
export const ALPACA_TIMEOUT_MS = 10_000;

/** A secret (the secrets area's `Secret`) or a plain string; only `reveal()` is ever called on it. */
export type SecretLike = string | { reveal(): string };

export interface AlpacaCredentials {
  readonly keyId: SecretLike;
  readonly secretKey: SecretLike;
}

export interface AlpacaClientOptions {
  /** trading API: ALPACA_PAPER_URL or ALPACA_LIVE_URL (or a test server) */
  readonly baseUrl: string;
  /** market data API (default ALPACA_DATA_URL) */
  readonly dataUrl?: string;
  /** the key pair, or a function that resolves it when first needed */
  readonly credentials: AlpacaCredentials | (() => Promise<AlpacaCredentials>);
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** Alpaca answered with an error, or could not be reached. `status` is 0 when there was no answer. */
export class AlpacaError extends TroError {
  constructor(
    readonly status: number,
    readonly apiCode: number | undefined,
    readonly apiMessage: string,
    message: string,
    cause?: unknown,
  ) {
    super(status === 401 ? "TRO_ERR_GUARD_REFUSED" : "TRO_ERR_BROKER_UNAVAILABLE", message, {
      cause,
      hint:
        status === 401
          ? "The broker rejected the credentials: check the key pair bound to this environment (paper keys for the paper URL)."
          : status === 0
            ? "Check the network and the account binding's baseUrl."
            : "See the broker's message above.",
    });
    this.name = "AlpacaError";
  }
}

export interface ListOrdersQuery {
  readonly status?: "open" | "closed" | "all";
  readonly limit?: number;
  readonly after?: string;
  readonly until?: string;
  readonly direction?: "asc" | "desc";
  readonly symbols?: readonly string[];
}

export interface BarsQuery {
  readonly timeframe: string;
  readonly start?: string;
  readonly end?: string;
  readonly limit?: number;
  readonly feed?: string;
  readonly pageToken?: string;
}

export class AlpacaClient {
  readonly baseUrl: string;
  readonly dataUrl: string;
  readonly #options: AlpacaClientOptions;
  #credentials: AlpacaCredentials | undefined;

  constructor(options: AlpacaClientOptions) {
    this.#options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.dataUrl = (options.dataUrl ?? ALPACA_DATA_URL).replace(/\/+$/, "");
  }

  /** GET /v2/account */
  getAccount(): Promise<AlpacaAccount> {
    return this.#request("GET", "/v2/account");
  }

  /** POST /v2/orders */
  createOrder(order: AlpacaOrderRequest): Promise<AlpacaOrder> {
    return this.#request("POST", "/v2/orders", undefined, order);
  }

  /** GET /v2/orders/{id} */
  getOrder(id: string): Promise<AlpacaOrder> {
    return this.#request("GET", `/v2/orders/${encodeURIComponent(id)}`);
  }

  /** GET /v2/orders:by_client_order_id */
  getOrderByClientId(clientOrderId: string): Promise<AlpacaOrder> {
    return this.#request("GET", "/v2/orders:by_client_order_id", { client_order_id: clientOrderId });
  }

  /** GET /v2/orders */
  listOrders(query: ListOrdersQuery = {}): Promise<AlpacaOrder[]> {
    return this.#request("GET", "/v2/orders", {
      status: query.status,
      limit: query.limit?.toString(),
      after: query.after,
      until: query.until,
      direction: query.direction,
      symbols: query.symbols?.join(","),
    });
  }

  /** DELETE /v2/orders/{id}: 204 when the cancel was accepted. */
  async cancelOrder(id: string): Promise<void> {
    await this.#request("DELETE", `/v2/orders/${encodeURIComponent(id)}`);
  }

  /** DELETE /v2/orders: cancels every open order; one entry per order with its HTTP status. */
  cancelAllOrders(): Promise<{ id: string; status: number }[]> {
    return this.#request("DELETE", "/v2/orders");
  }

  /** GET /v2/positions */
  listPositions(): Promise<AlpacaPosition[]> {
    return this.#request("GET", "/v2/positions");
  }

  /** GET {data}/v2/stocks/{symbol}/bars */
  getBars(symbol: string, query: BarsQuery): Promise<AlpacaBarsPage> {
    return this.#request(
      "GET",
      `/v2/stocks/${encodeURIComponent(symbol)}/bars`,
      {
        timeframe: query.timeframe,
        start: query.start,
        end: query.end,
        limit: query.limit?.toString(),
        feed: query.feed,
        page_token: query.pageToken,
      },
      undefined,
      this.dataUrl,
    );
  }

  async #request<T>(
    method: string,
    path: string,
    query?: Record<string, string | undefined>,
    body?: unknown,
    base = this.baseUrl,
  ): Promise<T> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const what = `${method} ${path}`;
    const credentials = await this.#keys();
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(url, {
        method,
        headers: {
          "APCA-API-KEY-ID": reveal(credentials.keyId),
          "APCA-API-SECRET-KEY": reveal(credentials.secretKey),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? ALPACA_TIMEOUT_MS),
      });
    } catch (cause) {
      throw new AlpacaError(0, undefined, "", `Alpaca did not answer ${what} at ${base}.`, cause);
    }
    const text = await response.text();
    if (!response.ok) {
      const error = parseError(text);
      throw new AlpacaError(
        response.status,
        error.code,
        error.message ?? "",
        `Alpaca answered ${response.status} to ${what}: ${error.message || response.statusText}.`,
      );
    }
    if (response.status === 204 || !text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new AlpacaError(response.status, undefined, "", `Alpaca sent a body that is not JSON for ${what}.`, cause);
    }
  }

  async #keys(): Promise<AlpacaCredentials> {
    if (!this.#credentials) {
      const c = this.#options.credentials;
      this.#credentials = typeof c === "function" ? await c() : c;
    }
    return this.#credentials;
  }
}

function reveal(value: SecretLike): string {
  return typeof value === "string" ? value : value.reveal();
}

function parseError(text: string): Partial<AlpacaErrorBody> {
  try {
    const body = JSON.parse(text) as Partial<AlpacaErrorBody>;
    return { code: typeof body.code === "number" ? body.code : undefined, message: String(body.message ?? "") };
  } catch {
    return { message: text.slice(0, 200) };
  }
}
