// Parameter sweep speed-up: the example desk's argo strategy on the S&P 500 sample, a grid of 144 parameter sets
// (`--sweep strategy.fast_window=5..20 --sweep strategy.slow_window=20..60:5`), run by the CLI with one worker
// thread (the baseline) and with one per core, alternately, the sweep's own wall time taken from its --json
// output (worker start-up included, CLI start-up not). Target: ≥ 1.7× on 2 cores. Both must rank the same.
//
// Tunable through the environment: BENCH_RUNS (default 3 per side).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const TARGET = 1.7;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
const GRID = ["--sweep", "strategy.fast_window=5..20", "--sweep", "strategy.slow_window=20..60:5"];

export async function run({ log }) {
  const bin = fileURLToPath(new URL("../bin/tradeops.js", import.meta.url));
  const workspace = fileURLToPath(new URL("../examples/desk", import.meta.url));
  if (!existsSync(fileURLToPath(new URL("../dist/sweep-worker.js", import.meta.url)))) {
    throw new Error("dist/sweep-worker.js is missing: run `npm run build`");
  }
  const cores = availableParallelism();
  const sweep = (workers) => {
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
    return JSON.parse(r.stdout);
  };
  const times = { one: [], all: [] };
  let first;
  for (let i = 0; i < RUNS; i++) {
    const a = sweep(1);
    const b = sweep(cores);
    const order = (o) => o.results.map((r) => r.index).join(",");
    if (order(a) !== order(b)) throw new Error("one worker and several ranked the parameter sets differently");
    first ??= a;
    times.one.push(a.ms);
    times.all.push(b.ms);
  }
  const one = median(times.one);
  const all = median(times.all);
  log(`${first.sets} parameter sets; 1 worker ${times.one.join(", ")} ms; ${cores} workers ${times.all.join(", ")} ms`);
  const ratio = one / all;
  return {
    name: `parameter sweep (${first.sets} sets, ${cores} workers vs 1)`,
    target: `≥ ${TARGET}× on 2 cores`,
    baseline: { label: "1 worker", value: one, unit: "ms" },
    measured: { label: `${cores} workers`, value: all, unit: "ms" },
    ratio,
    unit: "ms",
    pass: ratio >= TARGET,
    missedBy: ratio >= TARGET ? undefined : `×${ratio.toFixed(2)}`,
    details: { sets: first.sets, cores, oneWorkerMs: times.one, allWorkersMs: times.all },
  };
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
