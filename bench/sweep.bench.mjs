// Parameter sweep speed-up: the example desk's argo strategy on the S&P 500 sample (20 years of daily bars), a fine
// grid of 3,936 parameter sets (`--sweep strategy.fast_window=5..20 --sweep strategy.slow_window=20..60:1
// --sweep strategy.momentum_window=5..30:5`), run by the CLI with one worker thread (the baseline) and with one
// per core, alternately, the sweep's own wall time taken from its --json output (worker start-up, sharing the
// bars and ranking included; CLI start-up not). Target: ≥ 1.7× on 2 cores. Both must rank the same.
//
// The coarser grid of 864 sets (slow_window=20..60:5, about 1.3 s on one worker) is measured too and reported
// beside it: each worker pays a fixed cost that a second core cannot share — its start-up, and above all V8
// compiling its own copy of the hot code on helper threads, which beside a single worker run free on the idle
// core — so a short sweep shows the fixed costs as much as the scaling (see bench/README.md).
//
// A shared machine's load takes cores away from the second worker, so the CPU time each worker thread spent on
// its start-up and its sets (from the sweep's `workerLoads`) is reported too: the 1-worker run's CPU time over
// the all-cores run's spread over the cores is the speed-up free cores would give (each worker's start-up, and
// the per-set cost of running side by side, counted), and the wall ratio is also given per core that was free.
// A stricter CPU figure counts every thread of the process (the sweep's `cpuMs`): V8's compiler and garbage-collector
// threads run beside a single worker on the idle core, but take that core from a second one.
//
// Tunable through the environment: BENCH_RUNS (default 3 per side and grid), BENCH_SWEEP_GRID=small (the 144-set
// grid as the coarse one, 864 sets as the fine one).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const TARGET = 1.7;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
const axes = (slowStep, momentum) => [
  "--sweep",
  "strategy.fast_window=5..20",
  "--sweep",
  `strategy.slow_window=20..60:${slowStep}`,
  ...(momentum ? ["--sweep", "strategy.momentum_window=5..30:5"] : []),
];
const SMALL = process.env.BENCH_SWEEP_GRID === "small";
/** the headline grid (3,936 sets; 864 when small), and the coarse one reported beside it (864; 144 when small) */
const FINE = SMALL ? axes(5, true) : axes(1, true);
const COARSE = axes(5, !SMALL);

export async function run({ log }) {
  const bin = fileURLToPath(new URL("../bin/tradeops.js", import.meta.url));
  const workspace = fileURLToPath(new URL("../examples/desk", import.meta.url));
  if (!existsSync(fileURLToPath(new URL("../dist/sweep-worker.js", import.meta.url)))) {
    throw new Error("dist/sweep-worker.js is missing: run `npm run build`");
  }
  const cores = availableParallelism();
  const sweep = (workers, GRID) => {
    const load = loadavg()[0];
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "--workspace",
        workspace,
        "--env",
        "development",
        "--json",
        "backtest",
        "argo",
        ...GRID,
        "--workers",
        String(workers),
      ],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`sweep with ${workers} worker(s) failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    if (out.workers !== workers || out.workerLoads.length !== workers) {
      throw new Error(`asked for ${workers} worker(s), the sweep ran on ${out.workers}`);
    }
    return { ...out, load };
  };
  const measure = (GRID, label) => {
    const runs = { one: [], all: [] };
    for (let i = 0; i < RUNS; i++) {
      const a = sweep(1, GRID);
      const b = sweep(cores, GRID);
      const order = (o) => o.results.map((r) => r.index).join(",");
      if (order(a) !== order(b)) throw new Error("one worker and several ranked the parameter sets differently");
      runs.one.push(a);
      runs.all.push(b);
      log(
        `${label} (${a.sets} sets) run ${i + 1}: 1 worker ${a.ms} ms (CPU ${a.workerLoads[0].startCpuMs} + ${a.workerLoads[0].cpuMs} ms); ` +
          `${cores} workers ${b.ms} ms (CPU ${b.workerLoads.map((w) => `${w.startCpuMs} + ${w.cpuMs} ms for ${w.sets} sets`).join(", ")}; ` +
          `ready after ${b.workerLoads.map((w) => w.startMs).join(", ")} ms); process CPU ${a.cpuMs} and ${b.cpuMs} ms; ` +
          `load ${a.load.toFixed(1)}`,
      );
    }
    return runs;
  };
  const coarse = measure(COARSE, "coarse grid");
  const coarseOne = median(coarse.one.map((r) => r.ms));
  const coarseAll = median(coarse.all.map((r) => r.ms));
  const runs = measure(FINE, "fine grid");
  const first = runs.one[0];
  const one = median(runs.one.map((r) => r.ms));
  const all = median(runs.all.map((r) => r.ms));
  const ratio = one / all;
  // CPU-judged: the CPU time of the 1-worker run over that of the all-cores run spread evenly over the cores
  // (a worker's start-up included; NaN off Linux). On free cores the pool's shrinking batches keep the split even,
  // so this is the speed-up that two free cores give, less the parent thread's own work.
  const cpuOf = (w) => (w.startCpuMs ?? Number.NaN) + (w.cpuMs ?? Number.NaN);
  const cpuOne = median(runs.one.map((r) => cpuOf(r.workerLoads[0])));
  const cpuAll = median(runs.all.map((r) => r.workerLoads.reduce((sum, w) => sum + cpuOf(w), 0)));
  const cpuRatio = cpuOne / (cpuAll / cores);
  // stricter: the 1-worker run's own thread (its helpers use the idle core) over every thread of the all-cores
  // run (workers, their compiler and GC threads, the parent) spread over the cores
  const processOne = median(runs.one.map((r) => r.cpuMs));
  const processAll = median(runs.all.map((r) => r.cpuMs));
  const processRatio = cpuOne / (processAll / cores);
  // others' jobs only ever add time: the fastest run of each side is the one least disturbed
  const bestOne = Math.min(...runs.one.map((r) => r.ms));
  const bestAll = Math.min(...runs.all.map((r) => r.ms));
  // cores left for the sweep on average: the machine's, less what other processes kept busy (the run's own
  // threads are part of the load average, so a load of `cores` with nothing else running still leaves them all)
  const load = median([...runs.one, ...runs.all].map((r) => r.load));
  const freeCores = Math.min(cores, Math.max(1, cores - Math.max(0, load - 1)));
  return {
    name: `parameter sweep (${first.sets} sets, ${cores} workers vs 1)`,
    target: `≥ ${TARGET}× on 2 cores`,
    baseline: { label: "1 worker", value: one, unit: "ms" },
    measured: { label: `${cores} workers`, value: all, unit: "ms" },
    ratio,
    unit: "ms",
    pass: ratio >= TARGET,
    missedBy: ratio >= TARGET ? undefined : `×${ratio.toFixed(2)}`,
    notes: [
      `coarse grid, ${coarse.one[0].sets} sets: 1 worker ${coarseOne} ms, ${cores} workers ${coarseAll} ms → ` +
        `×${(coarseOne / coarseAll).toFixed(2)} (each worker's start-up and V8 compiling its own copy of the hot code weigh more in a short sweep)`,
      `CPU time (start-up included): 1 worker ${cpuOne} ms, ${cores} workers ${cpuAll} ms in all → ×${cpuRatio.toFixed(2)} on ${cores} free cores`,
      `every thread's CPU (compiler and GC threads, parent): 1 worker ${processOne} ms, ${cores} workers ${processAll} ms → ` +
        `×${processRatio.toFixed(2)} on ${cores} free cores (the 1-worker thread's ${cpuOne} ms over ${cores} workers' all)`,
      `wall ×${ratio.toFixed(2)} with ~${freeCores.toFixed(1)} of ${cores} cores free (load ${load.toFixed(1)}): ` +
        `×${(ratio / freeCores).toFixed(2)} per free core`,
      `fastest of ${RUNS} each (the least disturbed by other jobs): 1 worker ${bestOne} ms, ${cores} workers ${bestAll} ms → ×${(bestOne / bestAll).toFixed(2)}`,
    ],
    details: {
      sets: first.sets,
      coarse: {
        sets: coarse.one[0].sets,
        oneWorkerMs: coarse.one.map((r) => r.ms),
        allWorkersMs: coarse.all.map((r) => r.ms),
        ratio: coarseOne / coarseAll,
      },
      skipped: first.skipped,
      cores,
      loadAverage: load,
      freeCores,
      cpuOneMs: cpuOne,
      cpuAllMs: cpuAll,
      cpuRatio,
      processCpuOneMs: processOne,
      processCpuAllMs: processAll,
      processCpuRatio: processRatio,
      perFreeCore: ratio / freeCores,
      bestOneWorkerMs: bestOne,
      bestAllWorkersMs: bestAll,
      bestRatio: bestOne / bestAll,
      oneWorkerMs: runs.one.map((r) => r.ms),
      allWorkersMs: runs.all.map((r) => r.ms),
      oneWorkerLoads: runs.one.map((r) => r.workerLoads),
      allWorkersLoads: runs.all.map((r) => r.workerLoads),
    },
  };
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
