// Backtest throughput (SPEC §14): bars per second of a simple SMA crossover through the full runner — the
// kernel, the risk layer (max trade, max position, order rate, staleness, emergency stop-loss) and the
// simulated broker (next-bar-open fills, slippage, fees, buying power), with the equity curve — against a
// hand-written loop doing the same arithmetic, in the same run. Targets: ≥ 3,000,000 bars/s and ≥ 50% of
// the hand loop.
//
// Both see the same 1,000,000 synthetic minute bars — about ten years of regular-session minutes for one
// symbol; seeded, so every run measures the same work — and must end with the same equity to the cent: that is
// the check that they did the same work. Both are warmed up on a shorter prefix first, so that the JIT has seen
// every branch (buys, sells, fills, the rate window) before anything is timed: without it the hand loop's
// compiled code varies fourfold from one process to the next. Then runs alternate (runner, hand, runner, …),
// each timed in process CPU time, which a busy shared machine disturbs less than wall time; the median of each
// side is reported.
//
// The measurement runs in a fresh node process of its own (both loops in it), with on-stack replacement off:
// benchmarks that ran before it in the runner's process leave a large heap behind, which made every collection
// during the runner's runs dearer (×0.38 after the wide backtest against ×0.43–0.45 alone, same load), and
// on-stack replacement left the hand loop in a slow tier in half the processes (see bench/README.md). Its C
// allocator is told to keep freed memory rather than hand it back to the kernel: both loops allocate an 8 MB equity
// array per run, and whether that got reused pages or fresh ones (about 2,000 page faults, 3–4 ms of CPU time) was
// a lottery that changed from process to process and, in some, hit the runner in every other run (×0.48 against
// ×0.55 in the others, same build, same hour). glibc reads both settings from the environment; the caller's win.
//
// Tunable through the environment: BENCH_BARS (default 1,000,000), BENCH_RUNS (default 15).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const TARGET_BARS_PER_S = 3_000_000;
const TARGET_RATIO = 0.5;
const N = Math.max(100_000, Number(process.env.BENCH_BARS) || 1_000_000);
const RUNS = Math.max(5, Number(process.env.BENCH_RUNS) || 15);
/** glibc malloc: no heap trimming, and arrays up to 32 MB (4,000,000 bars) from the heap, not fresh mappings */
const ALLOCATOR = { MALLOC_TRIM_THRESHOLD_: String(2 ** 30), MALLOC_MMAP_THRESHOLD_: String(2 ** 25) };
/** warm-up runs on a prefix of WARMUP_BARS bars, then on the whole series */
const WARMUP = 10;
const WARMUP_BARS = 50_000;
/** before those, many runs on a short prefix */
const SHORT_RUNS = 300;
const SHORT_BARS = 3_000;
const FAST = 10;
const SLOW = 30;
const QTY = 10;
const RISK = {
  maxTradeUsd: 5000,
  maxPositionUsd: 20_000,
  maxOrdersPerMinute: 100,
  emergencyStopLossPct: 0.5,
  heartbeatTimeoutMs: 120_000,
};
/** what the timed runner does, said in the output so that nobody mistakes it for a bare loop */
const INCLUDES =
  "runBacktest with the kernel, the risk layer (max trade, max position, order rate, staleness, 50% stop-loss), " +
  "the simulated broker (next-open fills, 2 bps slippage, per-share fees, buying power), round-trip trades and " +
  "the equity curve";
const FEE_PER_SHARE = 0.005;
const FEE_MIN = 1;
const SLIP_BPS = 2;

export async function run({ log }) {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ["--no-use-osr", self, MEASURE], {
    encoding: "utf8",
    env: { ...ALLOCATOR, ...process.env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  for (const line of (child.stderr ?? "").split("\n")) if (line) log(line);
  if (child.status !== 0) throw new Error(`the measuring process failed (${child.status ?? child.signal})`);
  return JSON.parse(child.stdout);
}

const MEASURE = "--measure";
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === MEASURE) {
  const result = await measure((message) => process.stderr.write(`${message}\n`));
  process.stdout.write(JSON.stringify(result));
}

async function measure(log) {
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  if (!existsSync(dist)) throw new Error("dist/index.js is missing: run `npm run build`");
  const lib = await import(dist);
  // the whole series and the warm-up prefixes are made the same way, so that both loops see one object shape
  const series = slice(makeSeries(lib, N), N);
  const strategy = smaStrategy(lib);
  const risk = lib.riskSettings(RISK);
  const simulation = lib.simulationSettings({
    fees: { perShare: FEE_PER_SHARE, minimum: FEE_MIN },
    slippageBps: SLIP_BPS,
  });
  const runner = (bars = series) => {
    const { kernel } = lib.runBacktest({ strategy, params: {}, series: bars, risk, simulation, initialCash: 100_000 });
    return { equity: kernel.portfolio.equity, fills: kernel.portfolio.fills };
  };
  const hand = (bars = series) => handLoop(bars);
  // first many short runs: each loop gets its regular optimized code from being called often, with feedback from
  // every branch
  const short = slice(series, SHORT_BARS);
  for (let i = 0; i < SHORT_RUNS; i++) {
    runner(short);
    hand(short);
  }
  const prefix = slice(series, WARMUP_BARS);
  for (let i = 0; i < WARMUP; i++) {
    runner(prefix);
    hand(prefix);
  }

  const a = runner();
  const b = hand();
  if (Math.abs(a.equity - b.equity) > 0.01 || a.fills !== b.fills) {
    throw new Error(`runner and hand loop disagree: equity ${a.equity} vs ${b.equity}, fills ${a.fills} vs ${b.fills}`);
  }
  log(`${N.toLocaleString("en-US")} bars, ${a.fills} fills, final equity ${a.equity.toFixed(2)} in both`);
  log(`runner: ${INCLUDES}`);
  runner();
  hand();
  // and again after the long runs: a loop deoptimized by a branch only they reach is optimized again by calls
  for (let i = 0; i < SHORT_RUNS; i++) {
    runner(short);
    hand(short);
  }
  const times = { runner: [], hand: [] };
  const walls = { runner: [], hand: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of [
      ["runner", runner],
      ["hand", hand],
    ]) {
      const cpu = process.cpuUsage();
      const wall = performance.now();
      fn(series);
      walls[name].push(performance.now() - wall);
      const used = process.cpuUsage(cpu);
      times[name].push((used.user + used.system) / 1000);
    }
  }
  const rate = (ms) => (N / ms) * 1000;
  const runnerRate = rate(median(times.runner));
  const handRate = rate(median(times.hand));
  const ratio = runnerRate / handRate;
  return {
    name: "backtest throughput (SMA crossover, full runner)",
    target: `≥ ${fmt(TARGET_BARS_PER_S)} bars/s and ≥ ${TARGET_RATIO * 100}% of a hand-written loop`,
    baseline: { label: "hand-written loop", value: handRate, unit: "bars/s" },
    measured: { label: "runner", value: runnerRate, unit: "bars/s" },
    ratio,
    unit: "bars/s",
    notes: [`runner = ${INCLUDES}`],
    pass: runnerRate >= TARGET_BARS_PER_S && ratio >= TARGET_RATIO,
    missedBy:
      runnerRate < TARGET_BARS_PER_S
        ? `${fmt(runnerRate)} bars/s`
        : ratio < TARGET_RATIO
          ? `runner at ${(ratio * 100).toFixed(0)}% of the hand loop`
          : undefined,
    details: {
      bars: N,
      runs: RUNS,
      fills: a.fills,
      runnerCpuMs: summary(times.runner),
      handCpuMs: summary(times.hand),
      runnerWallMs: summary(walls.runner),
      handWallMs: summary(walls.hand),
      runnerBarsPerSecondWall: rate(median(walls.runner)),
      handBarsPerSecondWall: rate(median(walls.hand)),
    },
  };
}

/** A seeded, mean-reverting minute series: prices stay in a range, crossovers happen every ~140 bars. */
function makeSeries(lib, n) {
  const s = lib.allocateSeries(["SYN"], n);
  let seed = 1;
  let previous = 100;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const noise = (seed / 2147483648 - 0.5) * 0.02;
    const close = 100 * Math.exp(0.3 * Math.sin(i / 700) + 0.2 * Math.sin(i / 53)) * (1 + noise);
    s.time[i] = Date.UTC(2020, 0, 1) + i * 60_000;
    s.open[i] = previous;
    s.close[i] = close;
    s.high[i] = Math.max(previous, close);
    s.low[i] = Math.min(previous, close);
    s.volume[i] = 1_000_000;
    previous = close;
  }
  return s;
}

/** The strategy as a user writes it with the SDK. */
function smaStrategy(lib) {
  return lib.defineStrategy({
    name: "sma-bench",
    symbols: ["SYN"],
    init: () => ({ fast: new lib.Sma(FAST), slow: new lib.Sma(SLOW), prev: 0 }),
    onBar(ctx, bar) {
      const s = ctx.state;
      const d = s.fast.update(bar.close) - s.slow.update(bar.close);
      if (!s.slow.ready) return;
      if (d > 0 && s.prev <= 0) ctx.buy(bar.symbol, QTY);
      else if (d < 0 && s.prev > 0) {
        const held = ctx.position(bar.symbol).qty;
        if (held > 0) ctx.sell(bar.symbol, held);
      }
      s.prev = d;
    },
  });
}

/** The same arithmetic, by hand: SMAs, crossover, risk checks, next-open fills with slippage and fees, equity. */
function handLoop(series) {
  const { time, open, close } = series;
  const n = series.length;
  const fastBuf = new Float64Array(FAST);
  const slowBuf = new Float64Array(SLOW);
  let fastSum = 0;
  let slowSum = 0;
  let count = 0;
  let fi = 0;
  let si = 0;
  let prev = 0;
  let cash = 100_000;
  let qty = 0;
  let fills = 0;
  let pendingSide = 0;
  let pendingQty = 0;
  let pendingAt = 0;
  let peak = cash;
  let stop = peak * (1 - RISK.emergencyStopLossPct);
  let halted = false;
  let lastData = Number.NEGATIVE_INFINITY;
  const rate = new Float64Array(RISK.maxOrdersPerMinute);
  let rateHead = 0;
  let rateCount = 0;
  // the equity curve, as the runner keeps it: a value per bar (the times are the series' own)
  const equityValues = new Float64Array(n);
  const slip = SLIP_BPS / 10_000;
  let last = Number.NaN;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    const c = close[i];
    lastData = t;
    if (pendingSide !== 0 && pendingAt < t) {
      const px = open[i] * (1 + pendingSide * slip);
      const fee = Math.max(FEE_MIN, FEE_PER_SHARE * pendingQty);
      cash -= pendingSide * pendingQty * px + fee;
      qty += pendingSide * pendingQty;
      fills++;
      pendingSide = 0;
    }
    last = c;
    const equity = cash + qty * c;
    if (equity > peak) {
      peak = equity;
      stop = equity * (1 - RISK.emergencyStopLossPct);
    } else if (equity < stop) halted = true;
    equityValues[i] = equity;
    fastSum += c - fastBuf[fi];
    fastBuf[fi] = c;
    fi = fi + 1 === FAST ? 0 : fi + 1;
    slowSum += c - slowBuf[si];
    slowBuf[si] = c;
    si = si + 1 === SLOW ? 0 : si + 1;
    if (count < SLOW) count++;
    if (count < SLOW) continue;
    const d = fastSum / FAST - slowSum / SLOW;
    let side = 0;
    let q = 0;
    if (d > 0 && prev <= 0) {
      side = 1;
      q = QTY;
    } else if (d < 0 && prev > 0 && qty > 0) {
      side = -1;
      q = qty;
    }
    prev = d;
    if (side === 0) continue;
    while (rateCount > 0 && rate[rateHead] <= t - 60_000) {
      rateHead = (rateHead + 1) % rate.length;
      rateCount--;
    }
    const notional = q * last;
    const reduces = side < 0 && q <= qty;
    if (halted || t - lastData > RISK.heartbeatTimeoutMs || notional > RISK.maxTradeUsd) continue;
    if (!reduces && Math.abs(qty + side * q) * last > RISK.maxPositionUsd) continue;
    if (rateCount >= rate.length) continue;
    rate[(rateHead + rateCount) % rate.length] = t;
    rateCount++;
    if (side > 0 && notional * (1 + slip) + Math.max(FEE_MIN, FEE_PER_SHARE * q) > cash) continue;
    pendingSide = side;
    pendingQty = q;
    pendingAt = t;
  }
  return { equity: cash + qty * last, fills, lastPoint: equityValues[n - 1] };
}

/** The first `n` bars (views on the same arrays). */
function slice(series, n) {
  const cut = (a) => a.subarray(0, n);
  return {
    symbols: series.symbols,
    length: n,
    time: cut(series.time),
    open: cut(series.open),
    high: cut(series.high),
    low: cut(series.low),
    close: cut(series.close),
    volume: cut(series.volume),
    symbolIndex: series.symbolIndex.subarray(0, n),
  };
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function summary(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return {
    median: Math.round(median(sorted) * 10) / 10,
    min: Math.round(sorted[0] * 10) / 10,
    max: Math.round(sorted[sorted.length - 1] * 10) / 10,
  };
}

function fmt(n) {
  return Math.round(n).toLocaleString("en-US");
}
