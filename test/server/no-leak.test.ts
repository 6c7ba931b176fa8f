/**
 * Health output never carries secrets, dependency hosts, connection strings or exception text. Plant them
 * everywhere a careless implementation would pass them on, then read every endpoint in every form.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { databaseCheck, httpCheck, injectedCheck } from "../../src/health/deep/checks.js";
import { logErrorsCheck } from "../../src/health/deep/log-errors.js";
import { createMonitor } from "../../src/health/monitor.js";
import { createLogger } from "../../src/logging/logger.js";
import { type Desk, deskHost } from "./helpers.js";

const PLANTED = [
  "ctl-TOKEN-5b9d1f",
  "hunter22-db-password",
  "db-primary.internal.example",
  "postgres://",
  "PKLIVE0123SECRETKEY",
  "password authentication failed",
  "at Object.<anonymous>",
  "/srv/argo-production/secrets",
];
const [TOKEN, DB_PASSWORD, DB_HOST, , API_KEY] = PLANTED as [string, string, string, string, string];

let silent: Server;
const sockets = new Set<Socket>();
let desk: Desk;
let dir: string;
let logged = "";
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logged += String(chunk);
    done();
  },
});

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const silentPort = (silent.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), "tradeops-leak-"));
  const log = join(dir, "argo.log");
  writeFileSync(log, `${JSON.stringify({ level: 50, time: Date.now(), msg: `auth ${API_KEY} to ${DB_HOST}` })}\n`);
  const leakyError = () =>
    Object.assign(new Error(`password authentication failed for postgres://trader:${DB_PASSWORD}@${DB_HOST}:5432`), {
      code: "28P01",
    });

  desk = deskHost({
    controlToken: TOKEN,
    logger: createLogger({ level: "debug", pretty: false, destination: logStream }),
    controls: {
      halt: () => {
        desk.trading.state = "halted";
      },
      resume: () => {
        desk.trading.state = "active";
      },
    },
    deepChecks: [
      databaseCheck(
        async (signal) => {
          const client = new pg.Client({
            connectionString: `postgres://trader:${DB_PASSWORD}@127.0.0.1:${silentPort}/prod`,
          });
          client.on("error", () => {});
          signal.addEventListener("abort", () => void client.end().catch(() => {}));
          await client.connect();
        },
        { timeoutMs: 300 },
      ),
      databaseCheck(() => Promise.reject(leakyError()), { name: "replica" }),
      httpCheck(`http://${DB_HOST}:8443/health?key=${API_KEY}`, { name: "analytics_api", timeoutMs: 300 }),
      injectedCheck("broker", () => {
        throw new Error(`403 for key ${API_KEY} at /srv/argo-production/secrets`);
      }),
      logErrorsCheck(log, { critical: false }),
    ],
  });
  desk.registry.register({
    name: "secrets",
    read: () => {
      throw new Error(`cannot read /srv/argo-production/secrets/${API_KEY}`);
    },
  });
  await desk.host.start();
  desk.allGood();
  await createMonitor({
    registry: desk.registry,
    component: "broker",
    intervalMs: 1000,
    probe: () => Promise.reject(leakyError()),
  }).runOnce();
  desk.registry.report("signal_store", { status: "unhealthy", errorCode: `ENOENT ${DB_HOST}` });
  await desk.host.app.inject({
    method: "POST",
    url: "/control/halt",
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: { reason: `rotating ${API_KEY}` },
  });
});

afterAll(async () => {
  await desk.host.shutdown("test over");
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it("no planted secret, host, connection string or exception text in any health, metrics or log output", async () => {
  const outputs: string[] = [];
  for (const url of ["/health", "/livez", "/health/detailed", "/readyz", "/health/deep", "/metrics"]) {
    for (const accept of ["application/json", "application/health+json"]) {
      const res = await desk.host.app.inject({ url, headers: { accept } });
      outputs.push(`${url} ${res.statusCode} ${JSON.stringify(res.headers)} ${res.body}`);
    }
  }
  const deep = (await desk.host.app.inject("/health/deep")).json();
  // the planted failures are there, as codes
  expect(deep.checks.database.error_code).toBe("TIMEOUT");
  expect(deep.checks.replica.error_code).toBe("ERROR");
  expect(deep.checks.broker.error_code).toBe("ERROR");
  expect(deep.checks.log_errors).toMatchObject({ error_code: "ERROR_LINES", observed_value: 1 });
  expect(deep.components.broker.error_code).toBe("ERROR");
  expect(deep.components.secrets.error_code).toBe("READ_FAILED");
  expect(deep.components.signal_store.error_code).toBe("ERROR");
  expect(deep.components.risk.status).toBe("degraded");
  await desk.host.app.inject({ method: "POST", url: "/control/resume", headers: { authorization: "Bearer nope" } });
  expect(logged).toContain("trading halted through the control API");
  expect(logged).toContain("control request refused");
  outputs.push(logged);
  const all = outputs.join("\n");
  for (const planted of PLANTED) expect(all, planted).not.toContain(planted);
  expect(all).not.toMatch(/Error:|\bat \S+ \(/);
});
