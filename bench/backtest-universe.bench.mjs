// A wide backtest: ten years of daily bars for 500 symbols (1,260,000 bars, synthetic, seeded, generated here
// already interleaved in time order) through the full runner — kernel, risk layer, simulated broker — with an
// SMA crossover per symbol, and the report built from it (trades, open trades, per-symbol table, monthly
// returns, the reconciliation). Target: under 10 s on this machine, memory reported. The baseline is the same
// bars walked by a hand-written loop computing the same SMAs (no orders), in the same run, to show what the
// machine gives at the moment.
//
// Tunable through the environment: BENCH_SYMBOLS (default 500), BENCH_YEARS (default 10).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const TARGET_MS = 10_000;
const SYMBOLS = Math.max(10, Number(process.env.BENCH_SYMBOLS) || 500);
const YEARS = Math.max(1, Number(process.env.BENCH_YEARS) || 10);
const DAYS = 252 * YEARS;
const FAST = 10;
const SLOW = 30;

export async function run({ log }) {
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  if (!existsSync(dist)) throw new Error("dist/index.js is missing: run `npm run build`");
  const lib = await import(dist);
  const { buildReport } = lib;
  const series = makeUniverse(lib, SYMBOLS, DAYS);
  log(`${SYMBOLS} symbols × ${DAYS} days = ${series.length.toLocaleString("en-US")} bars`);
  global.gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const run = lib.runBacktest({
    strategy: crossover(lib, series.symbols),
    params: {},
    series,
    initialCash: 10_000_000,
    simulation: lib.simulationSettings({ fees: { bps: 1, minimum: 1 }, slippageBps: 2 }),
  });
  const tRun = performance.now();
  const report = buildReport(run, { environment: "bench", data: "synthetic" });
  const tReport = performance.now();
  const after = process.memoryUsage();
  const t1 = performance.now();
  hand(series);
  const handMs = performance.now() - t1;
  const ms = tReport - t0;
  log(
    `runner ${Math.round(tRun - t0)} ms + report ${Math.round(tReport - tRun)} ms; ${report.summary.trades} trades, ${report.openTrades.length} open, reconciled to ${report.reconciliation.difference.toExponential(1)}`,
  );
  const mb = (n) => Math.round(n / 1048576);
  log(
    `memory: rss ${mb(after.rss)} MB, heap ${mb(after.heapUsed)} MB (+${mb(after.heapUsed - before.heapUsed)} MB for the run), array buffers ${mb(after.arrayBuffers)} MB`,
  );
  return {
    name: `wide backtest (${SYMBOLS} symbols × ${YEARS} years daily, with report)`,
    target: `< ${TARGET_MS / 1000} s`,
    baseline: { label: "hand loop, SMAs only", value: handMs, unit: "ms" },
    measured: { label: "runner + report", value: ms, unit: "ms" },
    unit: "ms",
    pass: ms < TARGET_MS,
    missedBy: ms < TARGET_MS ? undefined : `${Math.round(ms)} ms`,
    details: {
      bars: series.length,
      runnerMs: Math.round(tRun - t0),
      reportMs: Math.round(tReport - tRun),
      trades: report.summary.trades,
      openTrades: report.openTrades.length,
      rssMb: mb(after.rss),
      heapUsedMb: mb(after.heapUsed),
      heapGrowthMb: mb(after.heapUsed - before.heapUsed),
      arrayBuffersMb: mb(after.arrayBuffers),
    },
  };
}

/** Seeded random walks, one per symbol, interleaved: day 0 of every symbol, then day 1, … */
function makeUniverse(lib, symbols, days) {
  const names = Array.from({ length: symbols }, (_, k) => `S${String(k).padStart(3, "0")}`);
  const s = lib.allocateSeries(names, symbols * days);
  const price = new Float64Array(symbols).fill(100);
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let i = 0;
  for (let d = 0; d < days; d++) {
    const t = Date.UTC(2010, 0, 4) + d * 86_400_000;
    for (let k = 0; k < symbols; k++) {
      const open = price[k];
      const close = open * (1 + (random() - 0.5) * 0.04 + 0.0002);
      price[k] = close;
      s.symbolIndex[i] = k;
      s.time[i] = t;
      s.open[i] = open;
      s.close[i] = close;
      s.high[i] = Math.max(open, close) * 1.005;
      s.low[i] = Math.min(open, close) * 0.995;
      s.volume[i] = 1_000_000;
      i++;
    }
  }
  return s;
}

/** An SMA crossover per symbol, $10,000 a position, state in arrays indexed by symbol. */
function crossover(lib, symbols) {
  return lib.defineStrategy({
    name: "universe-bench",
    symbols,
    init: () => ({
      index: new Map(symbols.map((s, k) => [s, k])),
      fast: symbols.map(() => new lib.Sma(FAST)),
      slow: symbols.map(() => new lib.Sma(SLOW)),
      prev: new Float64Array(symbols.length),
    }),
    onBar(ctx, bar) {
      const st = ctx.state;
      const k = st.index.get(bar.symbol);
      const d = st.fast[k].update(bar.close) - st.slow[k].update(bar.close);
      if (!st.slow[k].ready) return;
      if (d > 0 && st.prev[k] <= 0) ctx.buy(bar.symbol, Math.floor(10_000 / bar.close));
      else if (d < 0 && st.prev[k] > 0) {
        const held = ctx.position(bar.symbol).qty;
        if (held > 0) ctx.sell(bar.symbol, held);
      }
      st.prev[k] = d;
    },
  });
}

function hand(series) {
  const n = series.symbols.length;
  const fast = Array.from({ length: n }, () => ({ buf: new Float64Array(FAST), sum: 0, i: 0 }));
  const slow = Array.from({ length: n }, () => ({ buf: new Float64Array(SLOW), sum: 0, i: 0 }));
  let acc = 0;
  for (let i = 0; i < series.length; i++) {
    const k = series.symbolIndex[i];
    const c = series.close[i];
    for (const [w, st] of [
      [FAST, fast[k]],
      [SLOW, slow[k]],
    ]) {
      st.sum += c - st.buf[st.i];
      st.buf[st.i] = c;
      st.i = (st.i + 1) % w;
      acc += st.sum / w;
    }
  }
  return acc;
}
