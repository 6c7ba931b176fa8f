// CLI cold start: wall time of a fresh `tradeops --workspace examples/desk env` process against a bare
// `node -e 0`, both measured in this run, interleaved so that noise from a shared machine falls on both alike.
// Target: median ≤ 40 ms over bare node (with the validated manifest kept from an earlier command, as every
// command after the first one finds it; the bench uses a private TRADEOPS_CACHE_DIR).
//
// For the breakdown it also times `tradeops env` with TRADEOPS_NO_CACHE=1 (the manifest parsed and validated:
// what the first command after an edit pays) and `tradeops --version` (the full CLI: its bundle, commander and
// the whole command tree, which every command but the hot ones loads).
//
// Tunable through the environment: BENCH_SAMPLES (default 40, at least 30), BENCH_WARMUP (default 5).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TARGET_MS = 40;
const SAMPLES = Math.max(30, Number(process.env.BENCH_SAMPLES) || 40);
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP) || 5);
const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
const ENV_LINE = /^(development|test|staging|production) {2}decided by \S+/m;

// Same environment for every process; no colours; nothing that would change what node loads at start.
const cacheDir = mkdtempSync(join(tmpdir(), "tradeops-bench-cache-"));
const childEnv = { ...process.env, NO_COLOR: "1", TRADEOPS_CACHE_DIR: cacheDir };
delete childEnv.TRADEOPS_NO_CACHE;
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
  envNoCache: {
    label: "tradeops env, manifest validated (TRADEOPS_NO_CACHE=1)",
    argv: ["bin/tradeops.js", "--workspace", "examples/desk", "env"],
    env: { TRADEOPS_NO_CACHE: "1" },
    check: (r) => r.status === 0 && ENV_LINE.test(r.stdout),
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
  const env = s.env ? { ...childEnv, ...s.env } : childEnv;
  const r = spawnSync(process.execPath, s.argv, { cwd: root, env, encoding: "utf8", stdio: "pipe" });
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
  try {
    return measure(log);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function measure(log) {
  const order = ["node", "env", "envNoCache", "version"];
  log(`warm-up: ${WARMUP} rounds of ${order.join(", ")} (discarded)`);
  for (let i = 0; i < WARMUP; i++) for (const key of order) once(key);

  log(`measuring: ${SAMPLES} rounds, interleaved`);
  const samples = { node: [], env: [], envNoCache: [], version: [] };
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
  const validation = st.envNoCache.median - st.env.median;
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
      `tradeops env with the manifest validated (no cache): median ${r2(st.envNoCache.median)} ms ` +
        `(+${r2(st.envNoCache.median - st.node.median)} over bare node; parsing and validating tradeops.yaml: +${r2(validation)} ms)`,
      `tradeops --version (the full CLI and command tree): median ${r2(st.version.median)} ms, p90 ${r2(st.version.p90)} ms ` +
        `(+${r2(versionOverNode)} ms over bare node; env takes the hot path, ${r2(-envOverVersion)} ms less)`,
      `median of paired differences env − node: ${r2(pairedDifference)} ms`,
      "V8 compile cache: module.enableCompileCache on Node ≥ 22.1; this Node has it: " +
        (Number(process.versions.node.split(".")[0]) > 22 ||
        (process.versions.node.startsWith("22.") && Number(process.versions.node.split(".")[1]) >= 1)
          ? "yes"
          : "no"),
    ],
    details: {
      samples: SAMPLES,
      warmup: WARMUP,
      commands: Object.fromEntries(Object.entries(series).map(([k, s]) => [k, `node ${s.argv.join(" ")}`])),
      statsMs: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, roundAll(v)])),
      differenceOfMediansMs: r2(difference),
      medianPairedDifferenceMs: r2(pairedDifference),
      breakdownMs: {
        hotEnvOverNode: r2(difference),
        manifestParseAndValidate: r2(validation),
        fullCliOverNode: r2(versionOverNode),
      },
      rawMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(r2)])),
    },
  };
  log(
    `node ${r2(st.node.median)}/${r2(st.node.p90)} ms, env ${r2(st.env.median)}/${r2(st.env.p90)} ms, ` +
      `env (no cache) ${r2(st.envNoCache.median)}/${r2(st.envNoCache.p90)} ms, ` +
      `--version ${r2(st.version.median)}/${r2(st.version.p90)} ms (median/p90)`,
  );
  return result;
}
