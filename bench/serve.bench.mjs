// A strategy back in service: the example desk's argo (`tradeops serve argo`, paper mode on the simulated broker,
// development) timed two ways against a baseline measured in the same run, interleaved:
//
//   start    spawn → first 200 from /health, against a bare node HTTP server answering /health (target ≤ 1.5×)
//   crash    SIGKILL of a healthy argo → first 200 again, restarted by the tradeops supervisor
//            (`tradeops start argo`), against PM2 restarting the very same command (target ≤ 0.9× PM2).
//            The target is measured with `health.warmSpare: true` (a loaded spare takes over, docs/supervisor.md);
//            the same supervisor without a spare is timed in the same rounds and reported beside it.
//
// Each also waits on for the first 200 from /readyz (trading can start), reported beside the targets: /health is
// liveness, which a node answers as soon as its port is bound, while config, strategy and data still load.
//
// /health is asked every 5 ms (no keep-alive). Each crash round starts from a stable service (restarted and healthy,
// not timed): a service killed again within 30 s is a crash loop for the supervisor and is backed off on purpose. The
// spare series also waits, before each kill and after each round, for its spare to be ready (a spare loading in the
// background would slow whatever is measured next).
// Tunable: BENCH_SERVE_SAMPLES (default 8).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(root, "bin/tradeops.js");
const PM2 = join(root, "node_modules/.bin/pm2");
const SAMPLES = Math.max(3, Number(process.env.BENCH_SERVE_SAMPLES) || 8);
const START_RATIO = 1.5;
const CRASH_RATIO = 0.9;
const DEADLINE_MS = 60_000;
const BARE = `require("node:http").createServer((q, s) => s.end('{"status":"healthy"}')).listen(+process.env.PORT, "127.0.0.1")`;

const r1 = (n) => Math.round(n * 10) / 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function health(port, path = "/health") {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

async function untilHealthy(port, since, child, path = "/health") {
  for (;;) {
    if ((await health(port, path)) === 200) return performance.now() - since;
    if (child && child.exitCode !== null)
      throw new Error(`the process exited ${child.exitCode} before /health answered`);
    if (performance.now() - since > DEADLINE_MS) throw new Error(`no healthy /health on ${port} in ${DEADLINE_MS} ms`);
    await sleep(5);
  }
}

const gone = (pid) => {
  try {
    return /\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
};

async function stop(child) {
  if (child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
  await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
}

/** spawn → first healthy answer (and first ready one, when `ready` is given), then stopped by pid (its group). */
async function startOnce(argv, env, cwd, ready) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, argv(port), {
    cwd,
    env: { ...env, PORT: String(port) },
    stdio: "ignore",
    detached: true,
  });
  try {
    const live = await untilHealthy(port, started, child);
    if (ready) ready.push(await untilHealthy(port, started, child, "/readyz"));
    return live;
  } finally {
    await stop(child);
  }
}

/** resident memory of a process in kB (undefined when it cannot be read) */
function memoryKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) || undefined;
  } catch {
    return undefined;
  }
}

function exec(file, args, env, cwd) {
  const r = spawnSync(file, args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function run({ log }) {
  const ws = mkdtempSync(join(tmpdir(), "tradeops-bench-serve-"));
  cpSync(join(root, "examples/desk"), ws, { recursive: true, filter: (p) => !/[\\/](\.tradeops|data)$/.test(p) });
  // the supervisor runs the project's start command; this one needs no `tradeops` on PATH and takes PORT
  const manifest = join(ws, "tradeops.yaml");
  const startLine = `node ${CLI} --workspace ${ws} serve argo --port $PORT`;
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace("start: tradeops serve argo", `start: ${startLine}`));
  // the same desk with a warm spare for argo, under its own supervisor
  const wsSpare = mkdtempSync(join(tmpdir(), "tradeops-bench-serve-spare-"));
  cpSync(ws, wsSpare, { recursive: true });
  const spareManifest = join(wsSpare, "tradeops.yaml");
  const withSpare = readFileSync(spareManifest, "utf8")
    .replaceAll(ws, wsSpare)
    .replace("health: { path: /health,", "health: { warmSpare: true, path: /health,");
  if (!withSpare.includes("warmSpare: true"))
    throw new Error("the desk's argo health line changed: cannot set warmSpare");
  writeFileSync(spareManifest, withSpare);
  const pm2Home = mkdtempSync(join(tmpdir(), "tradeops-bench-pm2-"));
  const env = { ...process.env, NO_COLOR: "1", TRADEOPS_STATE_DIR: join(ws, ".state"), PM2_HOME: pm2Home };
  delete env.TRADEOPS_ENV;
  const serve = (port) => [CLI, "--workspace", ws, "serve", "argo", "--port", String(port)];
  const tradeops = (...args) => exec(process.execPath, [CLI, "--workspace", ws, ...args], env, ws);
  const envSpare = { ...env, TRADEOPS_STATE_DIR: join(wsSpare, ".state") };
  const spared = (...args) => exec(process.execPath, [CLI, "--workspace", wsSpare, ...args], envSpare, wsSpare);
  const spareOf = () => JSON.parse(spared("status", "argo", "--json")).instances?.[0]?.spare;
  const spareReady = async () => {
    const since = performance.now();
    while (spareOf()?.state !== "ready") {
      if (performance.now() - since > DEADLINE_MS) throw new Error(`no ready warm spare in ${DEADLINE_MS} ms`);
      await sleep(50);
    }
  };
  const pm2 = (...args) => exec(PM2, args, env, ws);
  const pids = new Set();
  try {
    // 1. start to ready
    log(`start: ${SAMPLES} rounds of a bare node server and tradeops serve argo, interleaved`);
    await startOnce(serve, env, ws); // warm the file cache and the manifest snapshot
    const start = { bare: [], argo: [], argoReady: [] };
    for (let i = 0; i < SAMPLES; i++)
      for (const key of i % 2 ? ["argo", "bare"] : ["bare", "argo"])
        start[key].push(
          await startOnce(
            key === "bare" ? () => ["-e", BARE] : serve,
            env,
            ws,
            key === "argo" ? start.argoReady : undefined,
          ),
        );
    const startRatio = median(start.argo) / median(start.bare);
    log(`start: bare ${r1(median(start.bare))} ms, argo ${r1(median(start.argo))} ms (×${startRatio.toFixed(2)})`);

    // 2. crash to ready
    const [tPort, sPort, pPort] = [await freePort(), await freePort(), await freePort()];
    tradeops("start", "argo", "--port", String(tPort), "--wait-healthy", "60");
    spared("start", "argo", "--port", String(sPort), "--wait-healthy", "60");
    pm2("start", "sh", "--name", "argo", "--", "-c", `exec ${startLine.replace("$PORT", String(pPort))}`);
    await untilHealthy(pPort, performance.now());
    const series = {
      tradeops: {
        port: tPort,
        pid: () => Number(readFileSync(join(env.TRADEOPS_STATE_DIR, "pids/argo.pid"), "utf8")),
        settle: async () => void tradeops("restart", "argo", "--wait-healthy", "60"),
      },
      spare: {
        port: sPort,
        pid: () => Number(readFileSync(join(envSpare.TRADEOPS_STATE_DIR, "pids/argo.pid"), "utf8")),
        // a fresh streak (restart) and a ready spare before each kill; after a round the next spare loads, and is
        // waited for so that it does not slow the series measured next
        settle: async () => {
          spared("restart", "argo", "--wait-healthy", "60");
          await spareReady();
        },
        after: spareReady,
      },
      pm2: {
        port: pPort,
        pid: () => Number(pm2("pid", "argo").trim()),
        settle: async () => {
          pm2("restart", "argo");
          await untilHealthy(pPort, performance.now());
        },
      },
    };
    await spareReady();
    const spareMemory = memoryKb(spareOf()?.pid);
    log(
      `crash: ${SAMPLES} SIGKILLs each (supervisor with a warm spare on ${sPort}, without on ${tPort}, pm2 on ${pPort}), interleaved`,
    );
    const crash = { spare: [], tradeops: [], pm2: [] };
    const crashReady = { spare: [], tradeops: [], pm2: [] };
    const orders = [
      ["spare", "pm2", "tradeops"],
      ["pm2", "tradeops", "spare"],
      ["tradeops", "spare", "pm2"],
    ];
    for (let i = 0; i < SAMPLES; i++) {
      for (const key of orders[i % orders.length]) {
        const s = series[key];
        await s.settle();
        const pid = s.pid();
        pids.add(pid);
        const t = performance.now();
        process.kill(pid, "SIGKILL");
        while (!gone(pid)) await sleep(1);
        crash[key].push(await untilHealthy(s.port, t));
        crashReady[key].push(await untilHealthy(s.port, t, undefined, "/readyz"));
        pids.add(s.pid());
        await s.after?.();
      }
    }
    const crashRatio = median(crash.spare) / median(crash.pm2);
    const plainRatio = median(crash.tradeops) / median(crash.pm2);
    log(
      `crash: supervisor with a warm spare ${r1(median(crash.spare))} ms (×${crashRatio.toFixed(2)}), without ${r1(median(crash.tradeops))} ms (×${plainRatio.toFixed(2)}), pm2 ${r1(median(crash.pm2))} ms`,
    );
    const startPass = startRatio <= START_RATIO;
    const crashPass = crashRatio <= CRASH_RATIO;
    return {
      name: "serve",
      target: `argo spawn → /health 200 ≤ ${START_RATIO}× a bare node server; crash → healthy ≤ ${CRASH_RATIO}× PM2 (health.warmSpare: true)`,
      unit: "ms",
      baseline: { label: "bare node server start", median: r1(median(start.bare)) },
      measured: { label: "tradeops serve argo start", median: r1(median(start.argo)) },
      ratio: Math.round(startRatio * 100) / 100,
      pass: startPass && crashPass,
      missedBy:
        [
          startPass ? "" : `start ×${startRatio.toFixed(2)} of the bare server (target ×${START_RATIO})`,
          crashPass ? "" : `crash → healthy (warm spare) ×${crashRatio.toFixed(2)} of PM2 (target ×${CRASH_RATIO})`,
        ]
          .filter(Boolean)
          .join("; ") || undefined,
      notes: [
        `start: bare node ${r1(median(start.bare))} ms, tradeops serve argo ${r1(median(start.argo))} ms (median of ${SAMPLES})`,
        `crash → healthy: tradeops supervisor with health.warmSpare ${r1(median(crash.spare))} ms (×${crashRatio.toFixed(2)}), without a spare ${r1(median(crash.tradeops))} ms (×${plainRatio.toFixed(2)}), PM2 ${r1(median(crash.pm2))} ms (median of ${SAMPLES})`,
        `ready (/readyz 200, trading can start): spawn → ready ${r1(median(start.argoReady))} ms; crash → ready: supervisor with a spare ${r1(median(crashReady.spare))} ms, without ${r1(median(crashReady.tradeops))} ms, PM2 ${r1(median(crashReady.pm2))} ms`,
        `a standing-by spare's resident memory: ${spareMemory === undefined ? "unknown" : `${Math.round(spareMemory / 1024)} MB`}`,
      ],
      details: {
        samples: SAMPLES,
        startMs: { bare: start.bare.map(r1), argo: start.argo.map(r1), argoReady: start.argoReady.map(r1) },
        crashMs: { spare: crash.spare.map(r1), tradeops: crash.tradeops.map(r1), pm2: crash.pm2.map(r1) },
        crashReadyMs: {
          spare: crashReady.spare.map(r1),
          tradeops: crashReady.tradeops.map(r1),
          pm2: crashReady.pm2.map(r1),
        },
        ratios: { start: startRatio, crash: crashRatio, crashWithoutSpare: plainRatio },
        spareRssKb: spareMemory ?? null,
      },
    };
  } finally {
    try {
      exec(process.execPath, [CLI, "--workspace", ws, "supervisor", "stop"], env, ws);
    } catch {}
    try {
      exec(process.execPath, [CLI, "--workspace", wsSpare, "supervisor", "stop"], envSpare, wsSpare);
    } catch {}
    try {
      exec(PM2, ["kill"], env, ws);
    } catch {}
    for (const pid of pids)
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    rmSync(ws, { recursive: true, force: true });
    rmSync(wsSpare, { recursive: true, force: true });
    rmSync(pm2Home, { recursive: true, force: true });
  }
}
