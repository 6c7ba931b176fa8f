// Crash to healthy again (SPEC §14): the time from SIGKILL of a running, healthy service to the first healthy
// answer of its /health, under the tradeops supervisor and under PM2 restarting the same service (the example
// desk's alpine-backend, `node server.mjs`) in the same run, samples interleaved. Target: ≤ 1 s.
//
// Each sample starts from a service that is up and stable (`tradeops restart` / `pm2 restart` before it, not
// timed): a crash of a working service is restarted at once, whereas a service killed again within 30 s counts as
// a crash loop and is deliberately backed off (docs/supervisor.md), which is not what this measures.
// Under tradeops a restart also re-resolves the project's config and secrets (`tradeops run` semantics); PM2
// reuses the environment it cached.
//
// Tunable through the environment: BENCH_SAMPLES (default 15), TRADEOPS_CLI (the tradeops script, default
// bin/tradeops.js).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TARGET_MS = 1000;
const SAMPLES = Math.max(5, Number(process.env.BENCH_SAMPLES) || 15);
const CLI = process.env.TRADEOPS_CLI ?? join(root, "bin/tradeops.js");
const PM2 = join(root, "node_modules/.bin/pm2");
const POLL_MS = 5;
const DEADLINE_MS = 20_000;

const r2 = (n) => Math.round(n * 100) / 100;

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const mid = s.length >> 1;
  return {
    n: s.length,
    min: r2(s[0]),
    median: r2(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2),
    p90: r2(q(0.9)),
    max: r2(s[s.length - 1]),
  };
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET /health; resolves to the status code, or 0 when nothing answers. */
function health(port) {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/health", agent: false, timeout: 500 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

function gone(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /\) [ZX] /.test(stat);
  } catch {
    return true;
  }
}

async function untilHealthy(port, since) {
  for (;;) {
    if ((await health(port)) === 200) return performance.now() - since;
    if (performance.now() - since > DEADLINE_MS)
      throw new Error(`no healthy /health on ${port} within ${DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** SIGKILL → first 200 from /health, in ms. */
async function crashToHealthy(pid, port) {
  const started = performance.now();
  process.kill(pid, "SIGKILL");
  while (!gone(pid)) await new Promise((r) => setTimeout(r, 1));
  return untilHealthy(port, started);
}

function exec(cmd, args, env, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function run({ log }) {
  const ws = mkdtempSync(join(tmpdir(), "tradeops-bench-restart-"));
  cpSync(join(root, "examples/desk"), ws, { recursive: true });
  const stateDir = join(ws, ".state");
  const pm2Home = mkdtempSync(join(tmpdir(), "tradeops-bench-pm2-"));
  const [tPort, pPort] = [await freePort(), await freePort()];
  const env = { ...process.env, NO_COLOR: "1", TRADEOPS_STATE_DIR: stateDir, PM2_HOME: pm2Home };
  delete env.TRADEOPS_ENV;
  const tradeops = (...args) => exec(process.execPath, [CLI, "--workspace", ws, ...args], env);
  const pm2 = (...args) => exec(PM2, args, { ...env, PORT: String(pPort) }, join(ws, "alpine-backend"));
  const leftovers = new Set();
  try {
    log(`tradeops: alpine-backend on ${tPort}; pm2: the same server.mjs on ${pPort}`);
    tradeops("start", "alpine-backend", "--port", String(tPort), "--wait-healthy", "20");
    pm2("start", "server.mjs", "--name", "alpine-backend", "--time");
    await untilHealthy(pPort, performance.now());
    const tPid = () => Number(readFileSync(join(stateDir, "pids/alpine-backend.pid"), "utf8"));
    const pPid = () => Number(pm2("pid", "alpine-backend").trim());
    const series = {
      tradeops: {
        pid: tPid,
        port: tPort,
        settle: () => tradeops("restart", "alpine-backend", "--wait-healthy", "20"),
      },
      pm2: {
        pid: pPid,
        port: pPort,
        settle: async () => {
          pm2("restart", "alpine-backend");
          await untilHealthy(pPort, performance.now());
        },
      },
    };
    const samples = { tradeops: [], pm2: [] };
    log(`measuring: ${SAMPLES} SIGKILLs each, interleaved`);
    for (let i = 0; i < SAMPLES; i++) {
      for (const key of i % 2 ? ["pm2", "tradeops"] : ["tradeops", "pm2"]) {
        const s = series[key];
        await s.settle();
        const pid = s.pid();
        leftovers.add(pid);
        samples[key].push(await crashToHealthy(pid, s.port));
        leftovers.add(s.pid());
      }
    }
    const st = { tradeops: stats(samples.tradeops), pm2: stats(samples.pm2) };
    const pass = st.tradeops.median <= TARGET_MS && st.tradeops.p90 <= TARGET_MS;
    log(`tradeops ${st.tradeops.median}/${st.tradeops.p90} ms, pm2 ${st.pm2.median}/${st.pm2.p90} ms (median/p90)`);
    const status = JSON.parse(tradeops("status", "--json")).instances[0];
    return {
      name: "restart",
      target: `SIGKILL → healthy /health: median and p90 ≤ ${TARGET_MS} ms`,
      unit: "ms",
      baseline: { label: "pm2 (autorestart, defaults)", median: st.pm2.median, p90: st.pm2.p90 },
      measured: { label: "tradeops supervisor", median: st.tradeops.median, p90: st.tradeops.p90 },
      ratio: r2(st.tradeops.median / st.pm2.median),
      difference: r2(st.tradeops.median - st.pm2.median),
      pass,
      missedBy: pass
        ? undefined
        : `${r2(Math.max(st.tradeops.median, st.tradeops.p90) - TARGET_MS)} ms over the target`,
      notes: [
        "tradeops restarts a crashed healthy service at once and re-resolves config and secrets before spawning it",
        `tradeops recorded ${status.restarts} restarts, last exit ${status.lastExit?.signal ?? status.lastExit?.code}`,
      ],
      details: {
        samples: SAMPLES,
        pollMs: POLL_MS,
        service: "examples/desk/alpine-backend/server.mjs",
        statsMs: st,
        rawMs: { tradeops: samples.tradeops.map(r2), pm2: samples.pm2.map(r2) },
        pm2Version: exec(PM2, ["--version"], { ...env })
          .trim()
          .split("\n")
          .at(-1),
      },
    };
  } finally {
    try {
      tradeops("supervisor", "stop", "--grace", "5");
    } catch {
      // reported by the measurement already
    }
    try {
      execFileSync(PM2, ["kill"], { env, stdio: "ignore" });
    } catch {
      // not running
    }
    for (const pid of leftovers) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
}
