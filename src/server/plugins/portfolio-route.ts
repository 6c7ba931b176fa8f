/**
 * GET /portfolio: a read-only snapshot of the strategy's book (cash, equity, positions, open orders, recent
 * trades, equity and price history) for the desk console. Nothing here changes state, so it needs no token;
 * the host binds to loopback unless configured otherwise, like /metrics.
 */
import type { FastifyInstance } from "fastify";
import type { HostContext } from "../context.js";
import { httpMetricsHook } from "./metrics.js";

export const PORTFOLIO_PATH = "/portfolio";

export interface PositionView {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly lastPrice: number | null;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
}

export interface OpenOrderView {
  readonly id: string;
  readonly symbol: string;
  readonly side: string;
  readonly qty: number;
  readonly filledQty: number;
  readonly type: string;
  readonly limitPrice: number | null;
  readonly status: string;
  readonly createdAt: string;
}

export interface TradeView {
  readonly symbol: string;
  readonly direction: "long" | "short";
  readonly entryTime: string;
  readonly exitTime: string;
  readonly qty: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly pnl: number;
}

/** `[epoch seconds, value]` pairs, oldest first, at most a few hundred points. */
export type Series = readonly (readonly [number, number])[];

export interface PortfolioSnapshot {
  readonly strategy: string;
  readonly time: string | null;
  readonly tradingState: string;
  readonly initialCash: number;
  readonly cash: number;
  readonly equity: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly fees: number;
  readonly fills: number;
  /** current drawdown from the equity peak, 0…1 */
  readonly drawdown: number;
  readonly maxDrawdown: number;
  readonly positions: readonly PositionView[];
  readonly openOrders: readonly OpenOrderView[];
  readonly trades: readonly TradeView[];
  readonly equityCurve: Series;
  readonly prices: Readonly<Record<string, Series>>;
}

/** Gives the current snapshot, or undefined while the strategy has not started. */
export type PortfolioSource = () => PortfolioSnapshot | undefined;

/** Registers GET /portfolio over `source`. */
export function portfolioRoute(ctx: HostContext, source: PortfolioSource) {
  return async (app: FastifyInstance) => {
    httpMetricsHook(app, ctx);
    app.get(PORTFOLIO_PATH, async (_request, reply) => {
      const snapshot = source();
      reply.header("cache-control", "no-store");
      if (!snapshot) {
        return reply.code(503).send({
          ok: false,
          error: { code: "TRO_ERR_SERVICE_START", message: "the strategy has not started trading yet" },
        });
      }
      return reply.send(snapshot);
    });
  };
}
