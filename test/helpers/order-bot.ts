/**
 * A trading bot for handoff tests: it sends an order to a broker every few milliseconds, but only while the
 * executor lease (the real src/accounts/lease.ts, loaded through jiti) names its release with a current token, and
 * it stops at SIGTERM after its last order is answered. Its health can be made to fail.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const JITI_REGISTER = pathToFileURL(
  join(import.meta.dirname, "../../node_modules/jiti/lib/jiti-register.mjs"),
).href;
const LEASE_MODULE = pathToFileURL(join(import.meta.dirname, "../../src/accounts/lease.ts")).href;

/** The bot's source; `detailed` is a JS expression deciding level-2 health (`started` is its start time). */
export function botSource(detailed = "true"): string {
  return `import { createServer } from "node:http";
const leaseModule = await import(${JSON.stringify(LEASE_MODULE)});
const { openLease } = leaseModule.openLease ? leaseModule : leaseModule.default;
const release = process.env.TRADEOPS_RELEASE;
const lease = openLease({ dir: process.env.TRADEOPS_LEASE_DIR, project: "scalper", account: process.env.TRADEOPS_LEASE_ACCOUNT });
const started = Date.now();
let stopping = false;
let seq = 0;
let renewed = 0;
async function tick() {
  while (!stopping) {
    const state = lease.read();
    if (state.holder === release && lease.isCurrent(release, state.token)) {
      if (Date.now() - renewed > 5000) { lease.renew(release, state.token); renewed = Date.now(); }
      await fetch(process.env.BROKER_URL + "/v2/orders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ release, token: state.token, seq: ++seq }),
      }).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
const loop = tick();
const server = createServer((req, res) => {
  const ok = req.url === "/health" || (${detailed});
  res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
  res.end(JSON.stringify({ status: ok ? "healthy" : "unhealthy", service: "scalper" }));
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", async () => {
  stopping = true;
  await loop;
  server.close();
  process.exitCode = 0;
  setTimeout(() => process.exit(0), 200).unref();
});
`;
}

export interface RecordedOrder {
  readonly release: string;
  readonly token: number;
  readonly seq: number;
  readonly at: number;
}

export interface TestBroker {
  readonly url: string;
  readonly orders: RecordedOrder[];
  close(): Promise<void>;
}

/** A broker that records every order it is sent, with the time it arrived. */
export async function startTestBroker(): Promise<TestBroker> {
  const orders: RecordedOrder[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const order = JSON.parse(body) as Omit<RecordedOrder, "at">;
      orders.push({ ...order, at: performance.now() });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: String(orders.length), status: "accepted" }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    orders,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Orders grouped into runs of the same release, in arrival order; a release appearing in two runs overlapped. */
export function runsOf(
  orders: readonly RecordedOrder[],
): { release: string; first: number; last: number; count: number; tokens: number[] }[] {
  const runs: { release: string; first: number; last: number; count: number; tokens: number[] }[] = [];
  for (const o of [...orders].sort((a, b) => a.at - b.at)) {
    const current = runs[runs.length - 1];
    if (current?.release === o.release) {
      current.last = o.at;
      current.count++;
      if (!current.tokens.includes(o.token)) current.tokens.push(o.token);
    } else runs.push({ release: o.release, first: o.at, last: o.at, count: 1, tokens: [o.token] });
  }
  return runs;
}
