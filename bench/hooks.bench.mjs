// The pre-commit hook (`tradeops hooks run pre-commit`, what `tradeops hooks install` makes git run) on a
// repository of 1,000 files in five projects with five staged changes in one, against a bare `node -e 0` and a
// bare `git diff --cached` and `tradeops env` (CLI start + workspace load) measured in the same run, interleaved. Target: median ≤ 200 ms wall time.
//
// Tunable through the environment: BENCH_SAMPLES (default 30), BENCH_WARMUP (default 3).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TARGET_MS = 200;
const SAMPLES = Math.max(10, Number(process.env.BENCH_SAMPLES) || 30);
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP) || 3);
const PROJECTS = ["alpha", "beta", "gamma", "delta", "epsilon"];
const FILES = 1000;

const gitEnv = {
  ...process.env,
  NO_COLOR: "1",
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@b",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@b",
};

function repository() {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-hook-bench-"));
  const manifest = ["name: bench", "projects:"];
  for (const p of PROJECTS) manifest.push(`  ${p}: { path: ${p}, kind: service }`);
  writeFileSync(join(dir, "tradeops.yaml"), `${manifest.join("\n")}\n`);
  for (let i = 0; i < FILES - 1; i++) {
    const project = PROJECTS[i % PROJECTS.length];
    const sub = join(dir, project, `m${i % 20}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, `f${i}.mjs`),
      `export const v${i} = ${i};\nexport function f${i}(x) {\n  return x + ${i};\n}\n`,
    );
  }
  const git = (...args) => execFileSync("git", args, { cwd: dir, env: gitEnv, stdio: ["ignore", "pipe", "pipe"] });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "bench");
  for (let i = 0; i < 25; i += 5) {
    writeFileSync(
      join(dir, "alpha", `m${i % 20}`, `f${i}.mjs`),
      `export const changed = ${i};\nexport const api_host = "localhost";\n`,
    );
  }
  git("add", "-A");
  return dir;
}

function time(argv, cwd, check) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env: gitEnv, encoding: "utf8", stdio: "pipe" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error || !check(r)) throw new Error(`${argv.join(" ")} failed (exit ${r.status}): ${r.stderr?.slice(0, 500)}`);
  return ms;
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[(s.length >> 1) - 1] + s[s.length >> 1]) / 2;
};
const p90 = (v) => [...v].sort((a, b) => a - b)[Math.ceil(0.9 * v.length) - 1];
const r2 = (n) => Math.round(n * 100) / 100;

export async function run({ log }) {
  const dir = repository();
  try {
    const series = {
      node: [[process.execPath, "-e", "0"], (r) => r.status === 0],
      git: [["git", "diff", "--cached", "--unified=0"], (r) => r.status === 0],
      // the CLI starting and loading the same workspace, without the hook's own work
      env: [[process.execPath, join(root, "bin/tradeops.js"), "env"], (r) => r.status === 0],
      hook: [
        [process.execPath, join(root, "bin/tradeops.js"), "hooks", "run", "pre-commit"],
        (r) => r.status === 0 && /5 staged file\(s\) checked/.test(r.stdout),
      ],
    };
    const keys = Object.keys(series);
    log(`repository: ${FILES} files in ${PROJECTS.length} projects, 5 staged; warm-up ${WARMUP}, samples ${SAMPLES}`);
    for (let i = 0; i < WARMUP; i++) for (const k of keys) time(series[k][0], dir, series[k][1]);
    const samples = Object.fromEntries(keys.map((k) => [k, []]));
    for (let i = 0; i < SAMPLES; i++) {
      for (const k of keys.map((_, j) => keys[(i + j) % keys.length]))
        samples[k].push(time(series[k][0], dir, series[k][1]));
    }
    const hook = median(samples.hook);
    const node = median(samples.node);
    const pass = hook <= TARGET_MS;
    log(`hook ${r2(hook)} ms, node ${r2(node)} ms, git diff ${r2(median(samples.git))} ms (medians)`);
    return {
      name: "pre-commit hook",
      target: `median ≤ ${TARGET_MS} ms on a 1,000-file repository`,
      unit: "ms",
      baseline: { label: "node -e 0", median: r2(node), p90: r2(p90(samples.node)) },
      measured: { label: "tradeops hooks run pre-commit", median: r2(hook), p90: r2(p90(samples.hook)) },
      difference: r2(hook - node),
      ratio: r2(hook / node),
      pass,
      missedBy: pass ? undefined : `${r2(hook - TARGET_MS)} ms over ${TARGET_MS} ms`,
      notes: [
        `git diff --cached alone: median ${r2(median(samples.git))} ms`,
        `tradeops env on the same workspace: median ${r2(median(samples.env))} ms (the hook's own work: ${r2(hook - median(samples.env))} ms)`,
      ],
      details: {
        files: FILES,
        staged: 5,
        samples: SAMPLES,
        rawMs: Object.fromEntries(keys.map((k) => [k, samples[k].map(r2)])),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
