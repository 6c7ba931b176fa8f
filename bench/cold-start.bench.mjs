// CLI cold start (SPEC §14): wall time of a fresh `tradeops --workspace examples/desk env` process against a
// bare `node -e 0`, both measured in this run, interleaved so that noise from a shared machine falls on
// both alike. Target: median ≤ 80 ms over bare node.
//
// For information it also times `tradeops --version` (the CLI bundle and commander, no workspace), so that
// the difference splits into "starting the CLI" and "loading the workspace and detecting the environment".
//
// Tunable through the environment: BENCH_SAMPLES (default 40, at least 30), BENCH_WARMUP (default 5).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TARGET_MS = 80;
const SAMPLES = Math.max(30, Number(process.env.BENCH_SAMPLES) || 40);
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP) || 5);
const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
const ENV_LINE = /^(development|test|staging|production) {2}decided by \S+/m;

// Same environment for every process; no colours; nothing that would change what node loads at start.
const childEnv = { ...process.env, NO_COLOR: "1" };
delete childEnv.NODE_DEBUG;
delete childEnv.FORCE_COLOR;

const series = {
  node: {
    label: "node -e 0",
    argv: ["-e", "0"],
    check: (r) => r.status === 0,
  },
  env: {
    label: "tradeops --workspace examples/desk env",
    argv: ["bin/tradeops.js", "--workspace", "examples/desk", "env"],
    check: (r) => r.status === 0 && ENV_LINE.test(r.stdout) && /rules, highest priority first:/.test(r.stdout),
  },
  version: {
    label: "tradeops --version",
    argv: ["bin/tradeops.js", "--version"],
    check: (r) => r.status === 0 && r.stdout.trim() === VERSION,
  },
};

function once(key) {
  const s = series[key];
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, s.argv, { cwd: root, env: childEnv, encoding: "utf8", stdio: "pipe" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error || !s.check(r)) {
    throw new Error(
      `\`node ${s.argv.join(" ")}\` did not succeed (exit ${r.status ?? r.signal}${r.error ? `, ${r.error.message}` : ""})\n` +
        `stdout: ${r.stdout?.slice(0, 2000) ?? ""}\nstderr: ${r.stderr?.slice(0, 2000) ?? ""}`,
    );
  }
  return ms;
}

function quantile(sorted, q) {
  // nearest rank: the smallest value with at least q of the samples at or below it
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, min: s[0], median: median(s), p90: quantile(s, 0.9), max: s[s.length - 1], mean };
}

const r2 = (n) => Math.round(n * 100) / 100;
const roundAll = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? r2(v) : v]));

export async function run({ log }) {
  const order = ["node", "env", "version"];
  log(`warm-up: ${WARMUP} rounds of ${order.join(", ")} (discarded)`);
  for (let i = 0; i < WARMUP; i++) for (const key of order) once(key);

  log(`measuring: ${SAMPLES} rounds, interleaved`);
  const samples = { node: [], env: [], version: [] };
  for (let i = 0; i < SAMPLES; i++) {
    // rotate the order each round so that no series always runs right after another
    const rotated = order.map((_, j) => order[(i + j) % order.length]);
    for (const key of rotated) samples[key].push(once(key));
  }

  const st = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
  const difference = st.env.median - st.node.median;
  const pairedDifference = median(samples.env.map((v, i) => v - samples.node[i]));
  const versionOverNode = st.version.median - st.node.median;
  const envOverVersion = st.env.median - st.version.median;
  const pass = difference <= TARGET_MS;

  const result = {
    name: "cold-start",
    target: `median ≤ ${TARGET_MS} ms over bare node`,
    unit: "ms",
    baseline: { label: series.node.label, median: r2(st.node.median), p90: r2(st.node.p90) },
    measured: { label: "tradeops env", median: r2(st.env.median), p90: r2(st.env.p90) },
    difference: r2(difference),
    ratio: r2(st.env.median / st.node.median),
    pass,
    missedBy: pass
      ? undefined
      : `${r2(difference - TARGET_MS)} ms over the target (${r2(difference)} ms over bare node)`,
    notes: [
      `tradeops --version: median ${r2(st.version.median)} ms, p90 ${r2(st.version.p90)} ms ` +
        `(+${r2(versionOverNode)} ms over bare node: CLI bundle + commander)`,
      `env over --version: +${r2(envOverVersion)} ms (the env command's own path: its chunks, reading and validating tradeops.yaml, detection)`,
      `median of paired differences env − node: ${r2(pairedDifference)} ms`,
    ],
    details: {
      samples: SAMPLES,
      warmup: WARMUP,
      commands: Object.fromEntries(Object.entries(series).map(([k, s]) => [k, `node ${s.argv.join(" ")}`])),
      statsMs: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, roundAll(v)])),
      differenceOfMediansMs: r2(difference),
      medianPairedDifferenceMs: r2(pairedDifference),
      breakdownMs: {
        cliStartOverNode: r2(versionOverNode),
        workspaceAndEnvOverVersion: r2(envOverVersion),
      },
      rawMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(r2)])),
    },
  };
  log(
    `node ${r2(st.node.median)}/${r2(st.node.p90)} ms, env ${r2(st.env.median)}/${r2(st.env.p90)} ms, ` +
      `--version ${r2(st.version.median)}/${r2(st.version.p90)} ms (median/p90)`,
  );
  return result;
}
