// The front proxy under continuous HTTP load (autocannon, keep-alive connections, ≥ 5,000 requests per phase):
// latency through the proxy against the bare service in the same run, then failed requests while the proxy is
// restarted gracefully (target 0), while its worker is SIGKILLed and while its keeper is SIGKILLed. During each kill
// a probe opens a fresh connection every few milliseconds and records how long connections were refused (the sh
// respawn loop this proxy replaced refused them for ≈ 1.2 s; target 0 ms). The proxy is dist/front-proxy.mjs, run
// exactly as a deploy runs it on a target.
//
// Bounded: 127.0.0.1 only, each phase stops at PHASE_SECONDS or PHASE_MAX_REQUESTS. Tunable through the
// environment: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 10).
//
// Run alone: `npm run bench -- proxy`. `node bench/proxy.bench.mjs --serve` is the bare service's entry.
import { fork, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PHASE_SECONDS = Math.max(3, Number(process.env.BENCH_SECONDS) || 5);
const CONNECTIONS = Math.max(1, Number(process.env.BENCH_CONNECTIONS) || 10);
const PHASE_MAX_REQUESTS = 400_000;
const MIN_REQUESTS = 5_000;
const FAULT_AT_MS = 1_500;
const PROBE_EVERY_MS = 2;
const PROBE_FOR_MS = 1_500;
const DEADLINE_MS = 20_000;
const LEGACY_REFUSED_MS = 1_200;

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const program = join(root, "dist/front-proxy.mjs");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r2 = (n) => Math.round(n * 100) / 100;

/** The bare service: one small JSON answer, like a release's /version. */
function serve() {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end('{"version":"v1"}');
  });
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
  process.on("disconnect", () => server.close(() => process.exit(0)));
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(what, check) {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function startProxy(dir, port) {
  const child = spawn(process.execPath, [program, "serve", dir, String(port), "127.0.0.1"], {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.unref();
  return child;
}

function proxyInfo(dir) {
  const file = join(dir, "proxy.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

async function ctl(dir, method, path, body) {
  const info = proxyInfo(dir);
  const res = await fetch(`http://127.0.0.1:${info.controlPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${info.token}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** a fresh connection's fate: "ok", or the error code */
function probe(port) {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path: "/version", agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200 ? "ok" : `HTTP ${res.statusCode}`));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve(e.code ?? e.message));
  });
}

/** probes for a while after a fault; the refused window is first to last refused connection */
async function probeWindow(port) {
  const started = performance.now();
  let first;
  let last;
  let refused = 0;
  let probes = 0;
  const other = {};
  while (performance.now() - started < PROBE_FOR_MS) {
    const at = performance.now() - started;
    const fate = await probe(port);
    probes++;
    if (fate === "ECONNREFUSED") {
      refused++;
      first ??= at;
      last = at;
    } else if (fate !== "ok") other[fate] = (other[fate] ?? 0) + 1;
    await sleep(PROBE_EVERY_MS);
  }
  return { probes, refused, refusedWindowMs: first === undefined ? 0 : r2(last - first + PROBE_EVERY_MS), other };
}

async function load(autocannon, port, fault) {
  const running = autocannon({
    url: `http://127.0.0.1:${port}/version`,
    connections: CONNECTIONS,
    duration: PHASE_SECONDS,
    maxOverallRequests: PHASE_MAX_REQUESTS,
  });
  let faultResult;
  if (fault) {
    await sleep(FAULT_AT_MS);
    faultResult = await fault();
  }
  const result = await running;
  if (result.requests.total < MIN_REQUESTS)
    throw new Error(
      `port ${port}: only ${result.requests.total} requests in ${PHASE_SECONDS} s (need ${MIN_REQUESTS})`,
    );
  return {
    requests: result.requests.total,
    failed: result.errors + result.timeouts + result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    rps: Math.round(result.requests.total / result.duration),
    // autocannon's histogram counts whole milliseconds: the mean latency comes from Little's law instead
    mean: r2((CONNECTIONS * 1000 * result.duration) / result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    fault: faultResult,
  };
}

export async function run({ log }) {
  if (!existsSync(program)) throw new Error(`${program} is missing: run npm run build`);
  const { default: autocannon } = await import("autocannon");
  const dir = mkdtempSync(join(tmpdir(), "tradeops-proxy-bench-"));
  const service = fork(self, ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const killGroup = () => {
    const info = proxyInfo(dir);
    if (info?.pid)
      try {
        process.kill(-info.pid, "SIGKILL");
      } catch {}
  };
  try {
    const servicePort = await new Promise((resolve, reject) => {
      service.once("message", (m) => resolve(m.port));
      service.once("exit", () => reject(new Error("the bare service exited")));
    });
    const port = await freePort();
    startProxy(dir, port);
    await until("the proxy", () => proxyInfo(dir));
    await ctl(dir, "POST", "/switch", { color: "blue", port: servicePort, release: "bench" });

    log("bare service");
    const bare = await load(autocannon, servicePort);
    log("through the proxy");
    const proxied = await load(autocannon, port);
    log("graceful restarts under load");
    const graceful = await load(autocannon, port, async () => {
      const before = (await ctl(dir, "GET", "/status")).workerPid;
      await ctl(dir, "POST", "/restart");
      await sleep(1_000);
      await ctl(dir, "POST", "/restart");
      return { replaced: before };
    });
    log("SIGKILL of the worker under load");
    const workerKill = await load(autocannon, port, async () => {
      process.kill((await ctl(dir, "GET", "/status")).workerPid, "SIGKILL");
      return probeWindow(port);
    });
    log("SIGKILL of the keeper under load");
    const keeperKill = await load(autocannon, port, async () => {
      process.kill(proxyInfo(dir).pid, "SIGKILL");
      return probeWindow(port);
    });
    const status = await until("a keeper after the kill", async () => {
      try {
        return await ctl(dir, "GET", "/status");
      } catch {
        return undefined;
      }
    });
    const refusedMs = Math.max(workerKill.fault.refusedWindowMs, keeperKill.fault.refusedWindowMs);
    const pass = graceful.failed === 0 && refusedMs === 0;
    return {
      name: "proxy",
      target:
        "0 failed requests across graceful restarts; 0 ms refused after SIGKILL (sh loop: ≈ 1.2 s); latency vs bare",
      unit: "ms",
      baseline: { label: "bare service mean latency", median: bare.mean },
      measured: { label: "through the front proxy mean latency", median: proxied.mean },
      difference: r2(proxied.mean - bare.mean),
      pass,
      missedBy:
        [
          graceful.failed ? `${graceful.failed} failed requests across graceful restarts` : "",
          refusedMs ? `connections refused for ${refusedMs} ms after a SIGKILL` : "",
        ]
          .filter(Boolean)
          .join("; ") || undefined,
      notes: [
        `latency mean (connections ÷ throughput)/p99: bare ${bare.mean}/${bare.p99} ms (${bare.rps} req/s), proxied ${proxied.mean}/${proxied.p99} ms (${proxied.rps} req/s, ×${r2(proxied.rps / bare.rps)}), ${CONNECTIONS} keep-alive connections; autocannon shares the 2 CPUs`,
        `graceful restart ×2: ${graceful.failed} failed of ${graceful.requests} requests`,
        `worker SIGKILL: ${workerKill.failed} failed of ${workerKill.requests} (in flight on the killed worker), refused ${workerKill.fault.refusedWindowMs} ms (${workerKill.fault.refused}/${workerKill.fault.probes} probes)`,
        `keeper SIGKILL: ${keeperKill.failed} failed of ${keeperKill.requests}, refused ${keeperKill.fault.refusedWindowMs} ms (${keeperKill.fault.refused}/${keeperKill.fault.probes} probes); the sh loop refused ≈ ${LEGACY_REFUSED_MS} ms`,
      ],
      details: {
        connections: CONNECTIONS,
        seconds: PHASE_SECONDS,
        bare,
        proxied,
        graceful,
        workerKill,
        keeperKill,
        status,
      },
    };
  } finally {
    killGroup();
    service.disconnect?.();
    service.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--serve")) serve();
else if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run({ log: (m) => process.stderr.write(`[proxy] ${m}\n`) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
