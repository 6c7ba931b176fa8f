// The console API's overview under load (SPEC §14: p99 ≤ 5 ms with 5 projects): a real `tradeops console`
// process over a copy of the example desk (5 projects, its background supervisor started on demand),
// GET /api/v1/projects loaded by autocannon, against a bare Fastify route answering the same JSON body
// from a constant in another process, in interleaved rounds so that a shared machine's noise falls on both.
//
// Bounded: 127.0.0.1 only, each round stops at BENCH_SECONDS (default 4) or ROUND_MAX_REQUESTS. Tunable:
// BENCH_ROUNDS (default 5), BENCH_CONNECTIONS (default 10). Run alone: `npm run bench -- console`.
// `node bench/console.bench.mjs --serve BODYFILE` is the baseline child's entry.
import { fork, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS) || 5);
const ROUND_SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS) || 4);
const CONNECTIONS = Math.max(1, Number(process.env.BENCH_CONNECTIONS) || 10);
const ROUND_MAX_REQUESTS = 200_000;
const WARMUP_SECONDS = 1;
const TARGET_P99_MS = 5;
const START_DEADLINE_MS = 30_000;
const PATH = "/api/v1/projects";

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "tradeops.js");

/** The baseline child: a bare Fastify route sending the console's answer as a constant. */
async function serve(bodyFile) {
  const { default: Fastify } = await import("fastify");
  const body = readFileSync(bodyFile, "utf8");
  const app = Fastify({ logger: false });
  app.get(PATH, (_request, reply) => reply.type("application/json; charset=utf-8").send(body));
  await app.listen({ host: "127.0.0.1", port: 0 });
  process.on("message", async (message) => {
    if (message === "stop") {
      await app.close();
      process.disconnect();
    }
  });
  process.send({ port: app.server.address().port });
}

function until(what, probe, ms) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const look = async () => {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(look, 100);
    };
    void look();
  });
}

async function load(autocannon, port, seconds) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    connections: CONNECTIONS,
    duration: seconds,
    maxOverallRequests: ROUND_MAX_REQUESTS,
  });
  if (result.errors || result.timeouts || result.non2xx)
    throw new Error(`port ${port}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export async function run({ log }) {
  const { default: autocannon } = await import("autocannon");
  const ws = mkdtempSync(join(tmpdir(), "tradeops-console-bench-"));
  cpSync(join(root, "examples", "desk"), ws, {
    recursive: true,
    filter: (p) => !/[\\/](\.tradeops|data|node_modules)$/.test(p),
  });
  const env = { PATH: process.env.PATH, HOME: ws, NO_COLOR: "1", TRADEOPS_SUPERVISOR_ENTRY: bin };
  const consoleProcess = spawn(process.execPath, [bin, "--workspace", ws, "console", "--port", "0"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  consoleProcess.stdout.on("data", (d) => (out += d));
  consoleProcess.stderr.on("data", (d) => (out += d));
  let baseline;
  try {
    const url = await until(
      "the console",
      async () => /on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out)?.slice(1),
      START_DEADLINE_MS,
    );
    const consolePort = Number(url[1]);
    // the supervisor answers (the overview then carries its state), then the body is fixed for the baseline
    const body = await until(
      "the supervisor's status",
      async () => {
        const env = await (await fetch(`${url[0]}/api/v1/environment`)).json();
        return env.supervisor ? (await fetch(`${url[0]}${PATH}`)).text() : undefined;
      },
      START_DEADLINE_MS,
    );
    const projects = JSON.parse(body).projects.length;
    if (projects !== 5) throw new Error(`the overview lists ${projects} projects, not 5`);
    const bodyFile = join(ws, "overview.json");
    writeFileSync(bodyFile, body);
    baseline = fork(self, ["--serve", bodyFile], { execArgv: [], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const { port: barePort } = await new Promise((resolve, reject) => {
      baseline.once("message", resolve);
      baseline.once("exit", (code) => reject(new Error(`the baseline exited with ${code}`)));
    });
    const ports = { console: consolePort, bare: barePort };
    log(`overview body ${body.length} bytes, ${projects} projects; warm-up ${WARMUP_SECONDS} s each`);
    for (const key of Object.keys(ports)) await load(autocannon, ports[key], WARMUP_SECONDS);
    const rounds = { console: [], bare: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const key of i % 2 ? ["bare", "console"] : ["console", "bare"]) {
        const r = await load(autocannon, ports[key], ROUND_SECONDS);
        rounds[key].push(r);
        log(`round ${i + 1} ${key}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
      }
    }
    const m = Object.fromEntries(
      Object.entries(rounds).map(([k, rs]) => [
        k,
        { rps: median(rs.map((r) => r.rps)), p99: median(rs.map((r) => r.p99)) },
      ]),
    );
    const worst = Math.max(...rounds.console.map((r) => r.p99));
    const pass = m.console.p99 <= TARGET_P99_MS;
    return {
      name: "console-overview",
      target: `GET ${PATH} p99 ≤ ${TARGET_P99_MS} ms with 5 projects`,
      unit: "ms (p99)",
      baseline: { label: "bare Fastify route, same body", median: m.bare.p99 },
      measured: { label: "tradeops console overview", median: m.console.p99 },
      difference: m.console.p99 - m.bare.p99,
      pass,
      missedBy: pass ? undefined : `p99 ${m.console.p99} ms (target ${TARGET_P99_MS} ms)`,
      notes: [
        `console p99 median ${m.console.p99} ms (worst round ${worst} ms), ${Math.round(m.console.rps)} req/s; bare p99 ${m.bare.p99} ms, ${Math.round(m.bare.rps)} req/s`,
        `${ROUNDS} alternating rounds of ${ROUND_SECONDS} s, ${CONNECTIONS} connections, body ${body.length} bytes, 127.0.0.1`,
      ],
      details: {
        rounds,
        medians: m,
        bodyBytes: body.length,
        latencyResolution: "autocannon records whole milliseconds",
      },
    };
  } finally {
    if (baseline && baseline.exitCode === null) {
      if (baseline.connected) baseline.send("stop");
      setTimeout(() => baseline.exitCode === null && baseline.kill("SIGKILL"), 3000).unref();
    }
    if (consoleProcess.exitCode === null) consoleProcess.kill("SIGTERM");
    spawnSync(process.execPath, [bin, "--workspace", ws, "supervisor", "stop"], {
      env,
      stdio: "ignore",
      timeout: 20_000,
    });
    rmSync(ws, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--serve") await serve(process.argv[3]);
