/**
 * Parity (the #1 complaint about trading frameworks: backtests that do not match paper or live): the same
 * strategy over the same real bars produces the identical sequence of signals, orders and fills in a
 * backtest, in an accelerated replay against the simulated broker, and through the Alpaca adapter against a
 * local Alpaca API server that fills at each bar's open.
 */
import { afterAll, describe, expect, it } from "vitest";
import { AlpacaClient } from "../../src/adapters/alpaca/client.js";
import { AlpacaVenue } from "../../src/adapters/alpaca/venue.js";
import { type BarSeries, barAt } from "../../src/runtime/data/bars.js";
import { replayBars } from "../../src/runtime/data/replay.js";
import { SimulatedBroker } from "../../src/runtime/execution/simulated-broker.js";
import { loadStrategy } from "../../src/runtime/load-strategy.js";
import { runBacktest } from "../../src/runtime/modes/backtest.js";
import { runPaper } from "../../src/runtime/modes/paper.js";
import { MemorySink, type RuntimeRecord } from "../../src/runtime/records.js";
import { riskSettings } from "../../src/runtime/risk/settings.js";
import { resolveParams, type Strategy } from "../../src/runtime/strategy.js";
import type { Bar } from "../../src/runtime/types.js";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";
import { DESK } from "../helpers/cli.js";
import { crossover, sp500 } from "../runtime/fixtures.js";

const KEY = { keyId: "PKPARITYTEST00000001", secretKey: "parity-secret-0000000000001" };
const CASH = 100_000;
const RUN_ID = "parity";

/** A fresh paper account per run: the broker starts with the cash a backtest starts with, and no positions. */
const servers: AlpacaServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
async function freshAccount(): Promise<AlpacaServer> {
  const server = await startAlpacaServer({ kind: "paper", keys: [KEY], cash: CASH, fills: "on-price" });
  servers.push(server);
  return server;
}

/** The parts of the records that must agree across modes: when, what, and everything it said. */
const view = (records: readonly RuntimeRecord[]) =>
  records.map((r) => ({ time: r.time, kind: r.kind, symbol: r.symbol, payload: r.payload }));

function backtest<P, S>(strategy: Strategy<P, S>, params: P, series: BarSeries, risk = riskSettings()) {
  const sink = new MemorySink();
  const run = runBacktest({ strategy, params, series, sink, initialCash: CASH, runId: RUN_ID, risk });
  return { records: sink.records, equity: run.kernel.portfolio.equity };
}

async function paperSimulated<P, S>(strategy: Strategy<P, S>, params: P, series: BarSeries, risk = riskSettings()) {
  const sink = new MemorySink();
  const handle = await runPaper({
    strategy,
    params,
    symbols: series.symbols,
    feed: { kind: "replay", series, speed: Number.POSITIVE_INFINITY, description: "replay" },
    venue: new SimulatedBroker(),
    sink,
    initialCash: CASH,
    environment: "development",
    runId: RUN_ID,
    risk,
  });
  await handle.done;
  return { records: sink.records, equity: handle.kernel.portfolio.equity };
}

/** Bars through the Alpaca adapter: before each bar reaches the strategy, the market moves to its open. */
async function paperAlpaca<P, S>(strategy: Strategy<P, S>, params: P, series: BarSeries, risk = riskSettings()) {
  const server = await freshAccount();
  async function* market(): AsyncGenerator<Bar> {
    for await (const bar of replayBars(series, { speed: Number.POSITIVE_INFINITY })) {
      server.setPrice(bar.symbol, bar.open);
      yield bar;
    }
  }
  const sink = new MemorySink();
  const client = new AlpacaClient({ baseUrl: server.url, credentials: KEY });
  const handle = await runPaper({
    strategy,
    params,
    symbols: series.symbols,
    feed: { kind: "live", bars: market(), clock: "bars", description: "replay through alpaca" },
    venue: new AlpacaVenue({ client, account: "paper" }),
    sink,
    environment: "development",
    runId: RUN_ID,
    risk,
  });
  await handle.done;
  return { records: sink.records, equity: handle.kernel.portfolio.equity, server };
}

describe("the same strategy over the same bars decides the same in every mode", () => {
  it("an SMA crossover sized from equity: backtest, replay paper and Alpaca paper agree record for record", async () => {
    const series = sp500(1500);
    const a = backtest(crossover, {}, series);
    const b = await paperSimulated(crossover, {}, series);
    const c = await paperAlpaca(crossover, {}, series);

    const kinds = a.records.map((r) => r.kind);
    expect(kinds.filter((k) => k === "order").length).toBeGreaterThan(20);
    expect(kinds.filter((k) => k === "signal").length).toBeGreaterThan(20);
    expect(view(b.records)).toEqual(view(a.records));
    expect(view(c.records)).toEqual(view(a.records));
    expect(b.equity).toBe(a.equity);
    expect(c.equity).toBe(a.equity);

    // the broker really saw those orders, with the kernel's ids, in the same order
    const sent = c.server.orders;
    const orders = a.records.filter((r) => r.kind === "order").map((r) => r.payload);
    expect(sent.map((o) => [o.client_order_id, o.side, Number(o.qty)])).toEqual(
      orders.map((o) => [o.id, o.side, o.qty]),
    );
    expect(sent.every((o) => o.status === "filled")).toBe(true);
  });

  it("the example desk's strategy (argo, weighted consensus) agrees too, including its risk refusals", async () => {
    const { strategy } = await loadStrategy(`${DESK}/argo`, DESK);
    const params = resolveParams(strategy, DESK_PARAMS, "argo");
    const series = sp500(900);
    // the strategy aims above the risk layer's max position: the same refusals must appear in every mode
    const risk = riskSettings({ maxTradeUsd: 5000, maxPositionUsd: 40_000 });
    const a = backtest(strategy, params, series, risk);
    const b = await paperSimulated(strategy, params, series, risk);
    const c = await paperAlpaca(strategy, params, series, risk);
    expect(a.records.filter((r) => r.kind === "order").length).toBeGreaterThan(10);
    expect(
      a.records.filter((r) => r.kind === "rejected" && r.payload.rule === "max_position_usd").length,
    ).toBeGreaterThan(0);
    expect(view(b.records)).toEqual(view(a.records));
    expect(view(c.records)).toEqual(view(a.records));
  });
});

/** argo's development config, as the strategy reads it. */
const DESK_PARAMS = {
  trading: { symbols: ["SPY"], interval_seconds: 5 },
  strategy: { fast_window: 10, slow_window: 30, momentum_window: 20 },
  consensus: { weights: { sma_cross: 0.6, momentum: 0.4 }, threshold: 0.5 },
  risk: { max_trade_usd: 4000, max_position_usd: 60_000 },
};

it("bars survive the trip through barAt unchanged (the replay feeds what the backtest reads)", () => {
  const series = sp500(10);
  expect(barAt(series, 3).close).toBe(series.close[3]);
});
