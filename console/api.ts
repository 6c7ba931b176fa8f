/** The dashboard's way to the console API: JSON reads, authenticated changes, Server-Sent Events. */

const TOKEN_KEY = "tradeops.console.token";

/** The console token for this tab (sessionStorage: it goes when the tab closes). */
export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fired when a change was refused for want of a token: the app asks for one. */
export const TOKEN_NEEDED = "tradeops:token-needed";

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (response.status === 401) dispatchEvent(new Event(TOKEN_NEEDED));
  if (!response.ok)
    throw new ApiError(response.status, body.error?.code ?? "", body.error?.message ?? response.statusText);
  return body as T;
}

export function get<T>(path: string): Promise<T> {
  return fetch(`/api/v1${path}`, { headers: { accept: "application/json" } }).then((r) => answer<T>(r));
}

/** A change: sent with the token; a 401 asks for one. */
export function post<T>(path: string, body: unknown = {}): Promise<T> {
  const token = getToken();
  return fetch(`/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }).then((r) => answer<T>(r));
}

/** Subscribes to a Server-Sent Events route; returns the function that closes it. */
export function subscribe(path: string, handlers: Record<string, (data: unknown) => void>): () => void {
  const source = new EventSource(`/api/v1${path}`);
  for (const [event, handle] of Object.entries(handlers))
    source.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent).data)));
  // the server's `error` event means the stream cannot continue (no store yet): no reconnect storm
  source.addEventListener("error", (e) => {
    if ((e as MessageEvent).data !== undefined) source.close();
  });
  return () => source.close();
}

export interface Project {
  name: string;
  kind: string;
  description: string | null;
  port: number | null;
  startable: boolean;
  mode: "PAPER" | "LIVE" | "BACKTEST" | "SHADOW" | null;
  account: { broker: string; mode: string; name: string | null; id: string | null } | null;
  state: string;
  release: string | null;
  color: string | null;
  pid: number | null;
  uptimeSeconds: number | null;
  restarts: number;
  health: { level1: string; level2: string };
  killSwitch: { state: string; reason: string; at: string; by: string } | null;
  lastFailure: string | null;
}

export interface Environment {
  workspace: string;
  environment: string;
  source: string;
  detail: string;
  uptimeSeconds: number;
}

export interface SignalRecord {
  seq: number;
  time: string;
  project: string;
  release: string;
  strategy: string;
  kind: string;
  payload: unknown;
  hash: string;
}

export interface BacktestJob {
  id: string;
  request: { project: string; from?: string; to?: string; data?: string; initialCash?: number };
  status: "queued" | "running" | "succeeded" | "failed";
  createdAt: string;
  progress: number;
  bars: { done: number; total: number } | null;
  summary: Record<string, number> | null;
  reportUrl: string | null;
  error: string | null;
}

export type Series = [number, number][];

export interface Book {
  strategy: string;
  time: string | null;
  tradingState: string;
  initialCash: number;
  cash: number;
  equity: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  fills: number;
  drawdown: number;
  maxDrawdown: number;
  positions: {
    symbol: string;
    qty: number;
    avgPrice: number;
    lastPrice: number | null;
    marketValue: number;
    unrealizedPnl: number;
    realizedPnl: number;
  }[];
  openOrders: {
    id: string;
    symbol: string;
    side: string;
    qty: number;
    filledQty: number;
    type: string;
    status: string;
  }[];
  trades: {
    symbol: string;
    direction: string;
    entryTime: string;
    exitTime: string;
    qty: number;
    entryPrice: number;
    exitPrice: number;
    pnl: number;
  }[];
  equityCurve: Series;
  prices: Record<string, Series>;
}
