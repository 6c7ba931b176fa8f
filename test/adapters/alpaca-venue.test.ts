/**
 * Alpaca as the execution venue of a paper run: the account guards run before anything else (a refusal
 * reaches no order endpoint), the account's cash and positions seed the portfolio, fills reported by the
 * broker land at the next step, and the broker's refusals become recorded decisions.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AlpacaClient } from "../../src/adapters/alpaca/client.js";
import { alpacaBarFeed } from "../../src/adapters/alpaca/market-data.js";
import { AlpacaVenue } from "../../src/adapters/alpaca/venue.js";
import { isTroError, TroError } from "../../src/errors.js";
import { openBarArchive } from "../../src/runtime/data/archive.js";
import { runPaper } from "../../src/runtime/modes/paper.js";
import { MemorySink } from "../../src/runtime/records.js";
import { defineStrategy } from "../../src/runtime/strategy.js";
import type { Bar } from "../../src/runtime/types.js";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";

const KEY = { keyId: "PKVENUETEST0000000001", secretKey: "venue-secret-value-00000001" };
const servers: AlpacaServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function account(options: Partial<Parameters<typeof startAlpacaServer>[0]> = {}) {
  const s = await startAlpacaServer({ kind: "paper", keys: [KEY], fills: "on-price", ...options });
  servers.push(s);
  return s;
}

const bar = (i: number, price: number): Bar => ({
  symbol: "SPY",
  time: Date.UTC(2024, 0, 2, 14, 30 + i),
  open: price,
  high: price,
  low: price,
  close: price,
  volume: 1000,
});

async function run(
  server: AlpacaServer,
  bars: Bar[],
  act: (ctx: Parameters<NonNullable<Parameters<typeof defineStrategy>[0]["onBar"]>>[0], i: number) => void,
  guard?: () => Promise<void>,
) {
  let i = 0;
  async function* market() {
    for (const b of bars) {
      server.setPrice(b.symbol, b.open);
      yield b;
    }
  }
  const sink = new MemorySink();
  const handle = await runPaper({
    strategy: defineStrategy({ name: "v", symbols: ["SPY"], onBar: (ctx) => act(ctx, i++) }),
    params: {},
    symbols: ["SPY"],
    feed: { kind: "live", bars: market(), clock: "bars", description: "test" },
    venue: new AlpacaVenue({
      client: new AlpacaClient({ baseUrl: server.url, credentials: KEY }),
      account: "paper",
      guard,
    }),
    sink,
    environment: "development",
    runId: "v",
  });
  await handle.done;
  return { sink, kernel: handle.kernel };
}

describe("AlpacaVenue", () => {
  it("a refused guard stops the run before any call to the broker", async () => {
    const server = await account();
    const refused = new TroError(
      "TRO_ERR_GUARD_REFUSED",
      "Account guard refused argo in development: mixed-credentials.",
    );
    const error = await run(
      server,
      [bar(0, 100)],
      (ctx) => void ctx.buy("SPY", 1),
      async () => {
        throw refused;
      },
    ).catch((e: unknown) => e);
    expect(error).toBe(refused);
    expect(server.calls).toEqual([]);
  });

  it("an account that cannot trade is refused after reading it, and no order endpoint is reached", async () => {
    const server = await account({ tradingBlocked: true });
    const error = await run(server, [bar(0, 100)], (ctx) => void ctx.buy("SPY", 1)).catch((e: unknown) => e);
    expect(isTroError(error) && [error.code, error.message]).toEqual([
      "TRO_ERR_GUARD_REFUSED",
      "Alpaca account PA3RS0M2X1YZ cannot trade: trading is blocked.",
    ]);
    expect(server.orderCalls()).toEqual([]);
  });

  it("starts from the account's cash and positions, fills at the next step, and records broker refusals", async () => {
    const server = await account({ cash: 10_000 });
    const { sink, kernel } = await run(server, [bar(0, 100), bar(1, 101), bar(2, 102), bar(3, 103)], (ctx, i) => {
      if (i === 0) {
        expect(ctx.cash).toBe(10_000);
        ctx.buy("SPY", 10);
      }
      if (i === 1) {
        expect(ctx.position("SPY").qty).toBe(10);
        ctx.buy("SPY", 1000); // far beyond the buying power
      }
    });
    const kinds = sink.records.map((r) => `${r.kind}${r.kind === "rejected" ? `:${r.payload.rule}` : ""}`);
    expect(kinds).toEqual(["order", "fill", "order", "rejected:venue", "error"]);
    expect(sink.records[1]!.payload).toMatchObject({ qty: 10, price: 101 });
    expect(sink.records[3]!.payload.reason).toBe("alpaca: insufficient buying power");
    expect(sink.records[3]!.time).toBe(bar(1, 0).time);
    expect(kernel.portfolio.cash).toBe(10_000 - 1010);
    expect(server.orders.map((o) => o.client_order_id)).toEqual(["v-v-1"]);
  });

  it("a halt cancels the open orders at the broker and refuses new ones", async () => {
    const server = await account();
    const sink = new MemorySink();
    let kernel: { halt(reason: string, source: string): void } | undefined;
    const bars = [bar(0, 100), bar(1, 100), bar(2, 100), bar(3, 100)];
    async function* market() {
      for (const [i, b] of bars.entries()) {
        if (i === 2) kernel!.halt("kill switch: test", "kill-switch:test");
        server.setPrice(b.symbol, b.open);
        yield b;
      }
    }
    const handle = await runPaper({
      strategy: defineStrategy({
        name: "v",
        symbols: ["SPY"],
        onBar: (ctx, b) => void ctx.buy(b.symbol, 1, { limit: 50 }),
      }),
      params: {},
      symbols: ["SPY"],
      feed: { kind: "live", bars: market(), clock: "bars", description: "test" },
      venue: new AlpacaVenue({ client: new AlpacaClient({ baseUrl: server.url, credentials: KEY }), account: "paper" }),
      sink,
      environment: "development",
      runId: "v",
      prepare: (k) => {
        kernel = k;
      },
    });
    await handle.done;
    expect(server.orders.map((o) => o.status)).toEqual(["canceled", "canceled"]);
    expect(server.calls.filter((c) => c.method === "DELETE").length).toBe(2);
    expect(sink.records.filter((r) => r.kind === "canceled")).toHaveLength(2);
    expect(sink.records.filter((r) => r.kind === "rejected").map((r) => r.payload.rule)).toEqual(["halted", "halted"]);
  });
});

describe("live bars from Alpaca", () => {
  it("polls new bars in time order and caches every one in the bar archive", async () => {
    const server = await account();
    const dir = mkdtempSync(join(tmpdir(), "tradeops-feed-"));
    dirs.push(dir);
    const archive = openBarArchive(join(dir, "bars.db"));
    const day = (d: number, c: number) => ({
      t: `2024-01-${String(d).padStart(2, "0")}T05:00:00Z`,
      o: c,
      h: c,
      l: c,
      c,
      v: 100,
    });
    server.setBars("SPY", [day(2, 10), day(3, 11)]);
    const abort = new AbortController();
    const seen: Bar[] = [];
    let polls = 0;
    const feed = alpacaBarFeed({
      client: new AlpacaClient({ baseUrl: server.url, dataUrl: server.url, credentials: KEY }),
      symbols: ["SPY"],
      timeframe: "1Day",
      archive,
      signal: abort.signal,
      now: () => Date.UTC(2024, 0, 4),
      sleep: async () => {
        polls++;
        if (polls === 1) server.setBars("SPY", [day(2, 10), day(3, 11), day(4, 12)]);
        else abort.abort();
      },
    });
    for await (const b of feed) seen.push(b);
    expect(seen.map((b) => b.close)).toEqual([10, 11, 12]);
    expect(archive.coverage("SPY", "1Day").count).toBe(3);
    archive.close();
  });

  it("a failed poll is reported and retried, not thrown", async () => {
    const errors: string[] = [];
    const abort = new AbortController();
    const feed = alpacaBarFeed({
      client: new AlpacaClient({
        baseUrl: "http://127.0.0.1:9",
        dataUrl: "http://127.0.0.1:9",
        credentials: KEY,
        timeoutMs: 1000,
      }),
      symbols: ["SPY"],
      timeframe: "1Min",
      signal: abort.signal,
      sleep: async () => abort.abort(),
      onError: (m) => errors.push(m),
    });
    for await (const _ of feed) throw new Error("no bar expected");
    expect(errors).toEqual([
      "market data for SPY: Alpaca did not answer GET /v2/stocks/SPY/bars at http://127.0.0.1:9.",
    ]);
  });
});
