/**
 * Builds the /portfolio snapshot from a running kernel: the book as the kernel keeps it, the equity curve
 * thinned to a few hundred points, and the prices the strategy saw (from a replay's series, or from the
 * bars a live feed delivered, kept in a bounded window).
 */
import type { TradingSample } from "../health/trading-metrics.js";
import type { Kernel } from "../runtime/kernel.js";
import type { FeedSpec } from "../runtime/modes/session.js";
import type { Bar } from "../runtime/types.js";
import type { PortfolioSnapshot, PortfolioSource, Series } from "./plugins/portfolio-route.js";

/** Points per series in a snapshot: enough for a chart, small enough to serve every second. */
export const SNAPSHOT_POINTS = 400;
/** Bars of a live feed kept per symbol for the price chart. */
export const LIVE_BARS_KEPT = 2_000;
/** Most recent round trips in a snapshot. */
export const SNAPSHOT_TRADES = 200;

export interface ObservedFeed {
  /** the feed to run: the same bars, passed through */
  readonly feed: FeedSpec;
  /** closes per symbol up to `until` (epoch ms) */
  prices(until: number): Record<string, Series>;
}

/** Wraps a feed so that the bars it delivers can be charted. */
export function observeFeed(feed: FeedSpec): ObservedFeed {
  if (feed.kind === "replay") {
    const s = feed.series;
    return {
      feed,
      prices(until) {
        let end = 0;
        while (end < s.length && s.time[end]! <= until) end++;
        const out: Record<string, [number, number][]> = {};
        for (const sym of s.symbols) out[sym] = [];
        for (let i = 0; i < end; i++) out[s.symbols[s.symbolIndex[i]!]!]!.push([s.time[i]! / 1000, s.close[i]!]);
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, thin(v)]));
      },
    };
  }
  const kept = new Map<string, [number, number][]>();
  const bars = feed.bars;
  const tapped: AsyncIterable<Bar> = {
    async *[Symbol.asyncIterator]() {
      for await (const bar of bars) {
        const list = kept.get(bar.symbol) ?? [];
        list.push([bar.time / 1000, bar.close]);
        if (list.length > LIVE_BARS_KEPT) list.splice(0, list.length - LIVE_BARS_KEPT);
        kept.set(bar.symbol, list);
        yield bar;
      }
    },
  };
  return {
    feed: { ...feed, bars: tapped },
    prices: (until) => Object.fromEntries([...kept].map(([k, v]) => [k, thin(v.filter(([t]) => t * 1000 <= until))])),
  };
}

/** A source for the host's /portfolio route over the kernel a service builds when it starts. */
export function portfolioSource(kernel: () => Kernel | undefined, feed: ObservedFeed): PortfolioSource {
  return () => {
    const k = kernel();
    if (!k) return undefined;
    const p = k.portfolio;
    const count = k.equity.count;
    const times = k.equity.times();
    const curve: [number, number][] = [];
    let peak = Number.NEGATIVE_INFINITY;
    let maxDrawdown = 0;
    for (let i = 0; i < count; i++) {
      const v = k.equity.values[i]!;
      peak = Math.max(peak, v);
      if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - v) / peak);
      curve.push([times[i]! / 1000, v]);
    }
    const equity = p.equity;
    peak = Math.max(peak, equity);
    const now = count ? times[count - 1]! : Number.NaN;
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    return {
      strategy: k.options.strategy.name,
      time: iso(now),
      tradingState: k.tradingState.state,
      initialCash: k.options.initialCash,
      cash: p.cash,
      equity,
      realizedPnl: p.positions.reduce((sum, x) => sum + x.realizedPnl, 0),
      unrealizedPnl: p.positions.reduce((sum, x) => sum + x.unrealizedPnl, 0),
      fees: p.feesPaid,
      fills: p.fills,
      drawdown: peak > 0 && Number.isFinite(peak) ? Math.max(0, (peak - equity) / peak) : 0,
      maxDrawdown,
      positions: p.positions.map((x) => ({
        symbol: x.symbol,
        qty: x.qty,
        avgPrice: x.avgPrice,
        lastPrice: Number.isFinite(x.lastPrice) ? x.lastPrice : null,
        marketValue: x.marketValue,
        unrealizedPnl: x.unrealizedPnl,
        realizedPnl: x.realizedPnl,
      })),
      openOrders: k.openOrders.map((o) => ({
        id: o.id,
        symbol: o.symbol,
        side: o.side,
        qty: o.qty,
        filledQty: o.filledQty,
        type: o.type,
        limitPrice: Number.isFinite(o.limitPrice) && o.type === "limit" ? o.limitPrice : null,
        status: o.status,
        createdAt: iso(o.createdAt) ?? "",
      })),
      trades: p.trades.slice(-SNAPSHOT_TRADES).map((t) => ({
        symbol: t.symbol,
        direction: t.direction,
        entryTime: iso(t.entryTime) ?? "",
        exitTime: iso(t.exitTime) ?? "",
        qty: t.qty,
        entryPrice: t.entryPrice,
        exitPrice: t.exitPrice,
        pnl: t.pnl,
      })),
      equityCurve: thin(curve),
      prices: Number.isFinite(now) ? feed.prices(now) : {},
    } satisfies PortfolioSnapshot;
  };
}

/** At most SNAPSHOT_POINTS points, evenly spaced, always keeping the last one. */
export function thin(points: [number, number][]): Series {
  if (points.length <= SNAPSHOT_POINTS) return points;
  const step = points.length / SNAPSHOT_POINTS;
  const out: [number, number][] = [];
  for (let i = 0; i < SNAPSHOT_POINTS - 1; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points[points.length - 1]!);
  return out;
}

/** The book as the metrics read it at scrape time: no curve, no history, O(symbols). */
export function tradingSample(
  kernel: () => Kernel | undefined,
  lease?: () => TradingSample["lease"],
): () => TradingSample | undefined {
  let peak = Number.NEGATIVE_INFINITY;
  let maxDrawdown = 0;
  return () => {
    const k = kernel();
    if (!k) return undefined;
    const p = k.portfolio;
    const equity = p.equity;
    peak = Math.max(peak, equity, k.risk.peak);
    const drawdown = peak > 0 ? Math.max(0, (peak - equity) / peak) : 0;
    maxDrawdown = Math.max(maxDrawdown, drawdown);
    const count = k.equity.count;
    const leaseState = lease?.();
    return {
      equity,
      cash: p.cash,
      realizedPnl: p.positions.reduce((sum, x) => sum + x.realizedPnl, 0),
      unrealizedPnl: p.positions.reduce((sum, x) => sum + x.unrealizedPnl, 0),
      drawdown,
      maxDrawdown,
      fills: p.fills,
      positions: p.positions.map((x) => ({ symbol: x.symbol, qty: x.qty, value: x.marketValue })),
      ...(count ? { barTime: k.equity.times()[count - 1] } : {}),
      ...(leaseState ? { lease: leaseState } : {}),
    };
  };
}

/** The executor lease as a node's order permit sees it: held while it holds the lease, and its token. */
export function permitLease(permit: {
  readonly state: string;
  readonly token: number;
}): () => NonNullable<TradingSample["lease"]> {
  return () => ({ held: permit.state === "holding", fencingToken: permit.token });
}
