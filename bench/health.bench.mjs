// /health level 1 under load (SPEC §14): the full service host (registry with the runtime's components,
// metrics hook, CORS hook, background system sampler, prom-client default metrics) against bare Fastify
// routes, all served by one child process and loaded by autocannon from this one, in interleaved rounds
// so that noise from a shared machine falls on all alike. Targets: p99 ≤ 2 ms, throughput ≥ 90 % of bare.
//
// Two bare routes: `bare-same` answers the same level-1 JSON (same fields, same size) from a constant, so
// the ratio against it is what the health machinery costs; `bare-tiny` answers `{"status":"healthy"}`
// (20 bytes against ~200), shown for information: autocannon runs on the same 2 vCPUs and parses every
// response, so a larger body lowers client-bound req/s whatever the server does. Besides req/s the child
// reports its own CPU time per request, which a loaded machine disturbs less.
//
// Bounded: 127.0.0.1 only, each round stops at ROUND_SECONDS or ROUND_MAX_REQUESTS, whichever comes first.
// Tunable through the environment: BENCH_ROUNDS (default 5), BENCH_SECONDS (default 4), BENCH_CONNECTIONS (10).
//
// Run alone: `npm run bench -- health`. `node bench/health.bench.mjs --serve` is the child's entry.
import { fork } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS) || 5);
const ROUND_SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS) || 4);
const CONNECTIONS = Math.max(1, Number(process.env.BENCH_CONNECTIONS) || 10);
const ROUND_MAX_REQUESTS = 400_000;
const WARMUP_SECONDS = 1;
const TARGET_P99_MS = 2;
const TARGET_RATIO = 0.9;
const START_DEADLINE_MS = 20_000;
const SERIES = ["bare-tiny", "bare-same", "health"];

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));

/** The child: two bare Fastify routes and a full service host, each on its own loopback port. */
async function serve() {
  const { default: Fastify } = await import("fastify");
  const lib = await import(pathToFileURL(`${root}dist/index.js`).href);
  const registry = lib.createHealthRegistry();
  const tracker = lib.createFreshnessTracker({ staleAfterMs: 60_000, streams: ["AAPL:1Min", "MSFT:1Min"] });
  registry.register(lib.dataFeedComponent({ tracker }));
  registry.register({ name: "broker", maxAgeMs: 60_000 });
  registry.register({ name: "signal_store", critical: false, maxAgeMs: 60_000 });
  registry.register(lib.tradingStateComponent({ read: () => ({ state: "active" }) }));
  const host = lib.createServiceHost({
    service: "argo",
    executionMode: "paper",
    registry,
    corsOrigins: ["http://localhost:5173"],
  });
  const { port } = await host.start();
  tracker.record("AAPL:1Min");
  tracker.record("MSFT:1Min");
  registry.report("broker", { status: "healthy" });
  registry.report("signal_store", { status: "healthy" });
  // the same body as level 1, as a constant: what Fastify alone costs to send it
  const same = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
  const bare = async (body) => {
    const app = Fastify({ logger: false });
    app.get("/health", (_request, reply) => {
      reply.header("cache-control", "no-store");
      return body;
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    return app;
  };
  const tiny = await bare({ status: "healthy" });
  const sameApp = await bare(same);
  process.on("message", async (message) => {
    if (message === "cpu") process.send({ cpu: process.cpuUsage() });
    if (message === "stop") {
      await Promise.all([tiny.close(), sameApp.close(), host.shutdown("benchmark over")]);
      process.disconnect();
    }
  });
  process.send({
    ports: { "bare-tiny": tiny.server.address().port, "bare-same": sameApp.server.address().port, health: port },
    bytes: { "bare-tiny": 20, "bare-same": JSON.stringify(same).length },
  });
}

function ask(child, message) {
  return new Promise((resolve) => {
    child.once("message", resolve);
    child.send(message);
  });
}

function startChild() {
  const child = fork(self, ["--serve"], { cwd: root, execArgv: [], stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the benchmark servers did not start")), START_DEADLINE_MS);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once("exit", (code) => reject(new Error(`benchmark servers exited with ${code}`)));
  });
  return { child, ready };
}

async function load(autocannon, child, port, seconds) {
  const before = (await ask(child, "cpu")).cpu;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/health`,
    connections: CONNECTIONS,
    duration: seconds,
    // not `amount`: autocannon lets `amount` override `duration`; this caps requests and keeps the time bound
    maxOverallRequests: ROUND_MAX_REQUESTS,
  });
  const after = (await ask(child, "cpu")).cpu;
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(
      `port ${port}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`,
    );
  }
  const cpuUs = after.user - before.user + after.system - before.system;
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    cpuUsPerRequest: Math.round((cpuUs / result.requests.total) * 10) / 10,
  };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const r2 = (n) => Math.round(n * 100) / 100;

export async function run({ log }) {
  const { default: autocannon } = await import("autocannon");
  const { child, ready } = startChild();
  try {
    const { ports, bytes } = await ready;
    log(`warm-up ${WARMUP_SECONDS} s each; bodies: same ${bytes["bare-same"]} bytes, tiny ${bytes["bare-tiny"]} bytes`);
    for (const key of SERIES) await load(autocannon, child, ports[key], WARMUP_SECONDS);
    const rounds = Object.fromEntries(SERIES.map((k) => [k, []]));
    for (let i = 0; i < ROUNDS; i++) {
      // rotate the order each round so that no series always follows another
      for (const key of SERIES.map((_, j) => SERIES[(i + j) % SERIES.length])) {
        const r = await load(autocannon, child, ports[key], ROUND_SECONDS);
        rounds[key].push(r);
        log(`round ${i + 1} ${key}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, ${r.cpuUsPerRequest} µs CPU/request`);
      }
    }
    const m = Object.fromEntries(
      SERIES.map((k) => [
        k,
        {
          rps: median(rounds[k].map((r) => r.rps)),
          p99: median(rounds[k].map((r) => r.p99)),
          cpu: median(rounds[k].map((r) => r.cpuUsPerRequest)),
        },
      ]),
    );
    const ratio = m.health.rps / m["bare-same"].rps;
    const cpuRatio = m["bare-same"].cpu / m.health.cpu;
    const worstP99 = Math.max(...rounds.health.map((r) => r.p99));
    const pass = m.health.p99 <= TARGET_P99_MS && ratio >= TARGET_RATIO;
    return {
      name: "health-level1",
      target: `/health p99 ≤ ${TARGET_P99_MS} ms and ≥ ${TARGET_RATIO * 100} % of a bare Fastify route's req/s`,
      unit: "req/s",
      baseline: { label: "bare Fastify route, same body", median: Math.round(m["bare-same"].rps) },
      measured: { label: "service host /health", median: Math.round(m.health.rps) },
      ratio: r2(ratio),
      pass,
      missedBy: pass
        ? undefined
        : `p99 ${m.health.p99} ms (target ${TARGET_P99_MS}), throughput ${r2(ratio * 100)} % of bare (target ${TARGET_RATIO * 100} %)`,
      notes: [
        `/health p99 median ${m.health.p99} ms (worst round ${worstP99} ms); bare-same p99 ${m["bare-same"].p99} ms`,
        `server CPU per request: /health ${m.health.cpu} µs, bare-same ${m["bare-same"].cpu} µs, bare-tiny ${m["bare-tiny"].cpu} µs (capacity ratio ${r2(cpuRatio)})`,
        `bare-tiny (20-byte body): ${Math.round(m["bare-tiny"].rps)} req/s; /health is ${r2(m.health.rps / m["bare-tiny"].rps)} of it`,
        `${ROUNDS} rotated rounds of ${ROUND_SECONDS} s per series, ${CONNECTIONS} connections, 127.0.0.1`,
      ],
      details: {
        rounds: ROUNDS,
        roundSeconds: ROUND_SECONDS,
        connections: CONNECTIONS,
        roundMaxRequests: ROUND_MAX_REQUESTS,
        bodyBytes: bytes,
        medians: m,
        capacityRatioByCpu: r2(cpuRatio),
        raw: Object.fromEntries(SERIES.map((k) => [k, rounds[k].map((r) => ({ ...r, rps: Math.round(r.rps) }))])),
        latencyResolution: "autocannon records latency in whole milliseconds",
      },
    };
  } finally {
    if (child.exitCode === null && child.connected) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    } else if (child.exitCode === null) child.kill("SIGKILL");
  }
}

if (process.argv[1] === self && process.argv.includes("--serve")) await serve();
