/**
 * The trading gauges of a node's /metrics: equity, cash, positions per symbol, realised and unrealised P&L,
 * drawdown, fills, the executor lease and the time of the last bar. Read from the book at scrape time
 * (memory only), in the account's currency; names follow Prometheus conventions (ratios as `_ratio`,
 * counters as `_total`, times as Unix timestamps).
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { isValidName } from "./types.js";

const P = "tradeops_";

/** What the book says at one moment; undefined while the strategy has not started. */
export interface TradingSample {
  readonly equity: number;
  readonly cash: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  /** 0…1 from the equity peak */
  readonly drawdown: number;
  readonly maxDrawdown: number;
  /** fills since the start (monotonic) */
  readonly fills: number;
  readonly positions: readonly { readonly symbol: string; readonly qty: number; readonly value: number }[];
  /** the kernel clock: the time of the last bar, epoch ms */
  readonly barTime?: number;
  /** the executor lease, when the node runs under one */
  readonly lease?: { readonly held: boolean; readonly fencingToken: number };
}

/**
 * Registers the trading gauges; each reads `sample()` when scraped. The lease gauges exist only for a node that
 * runs under an executor lease (`lease`): an unlabelled gauge cannot be absent, and a 0 would read as "lost".
 */
export function registerTradingMetrics(
  registry: Registry,
  sample: () => TradingSample | undefined,
  options: { readonly lease?: boolean } = {},
): void {
  const registers = [registry];
  const gauge = (name: string, help: string, value: (s: TradingSample) => number | undefined) =>
    new Gauge({
      name: `${P}${name}`,
      help,
      registers,
      collect() {
        const s = sample();
        const v = s ? value(s) : undefined;
        if (v === undefined || !Number.isFinite(v)) this.reset();
        else this.set(v);
      },
    });
  gauge("account_equity", "equity (cash + positions at the last price), in the account's currency", (s) => s.equity);
  gauge("account_cash", "cash, in the account's currency", (s) => s.cash);
  gauge("pnl_realized", "realised profit and loss since the start, in the account's currency", (s) => s.realizedPnl);
  gauge(
    "pnl_unrealized",
    "unrealised profit and loss of open positions, in the account's currency",
    (s) => s.unrealizedPnl,
  );
  gauge("drawdown_ratio", "current drawdown from the equity peak (0…1)", (s) => s.drawdown);
  gauge("drawdown_max_ratio", "largest drawdown since the start (0…1)", (s) => s.maxDrawdown);
  gauge("marketdata_last_bar_timestamp_seconds", "the time of the last bar the strategy saw", (s) =>
    s.barTime === undefined ? undefined : s.barTime / 1000,
  );
  if (options.lease) {
    gauge("executor_lease_held", "1 while this node holds the executor lease, 0 when another does", (s) =>
      s.lease ? Number(s.lease.held) : undefined,
    );
    gauge(
      "executor_lease_fencing_token",
      "the fencing token this node holds, or held last",
      (s) => s.lease?.fencingToken,
    );
  }
  const perSymbol = (name: string, help: string, value: (p: TradingSample["positions"][number]) => number) =>
    new Gauge({
      name: `${P}${name}`,
      help,
      labelNames: ["symbol"],
      registers,
      collect() {
        this.reset();
        for (const p of sample()?.positions ?? [])
          this.set({ symbol: isValidName(p.symbol) ? p.symbol : "other" }, value(p));
      },
    });
  perSymbol("position_quantity", "position size per symbol (negative: short)", (p) => p.qty);
  perSymbol("position_value", "position market value per symbol, in the account's currency", (p) => p.value);
  let counted = 0;
  new Counter({
    name: `${P}fills_total`,
    help: "order fills since the start",
    registers,
    collect() {
      const fills = sample()?.fills ?? counted;
      if (fills > counted) this.inc(fills - counted);
      counted = Math.max(counted, fills);
    },
  });
}
