/**
 * An order-sending bot for deploy tests, built from the product's own pieces (from dist/): the lease the deploy
 * names through the TRADEOPS_LEASE_* variables (the file on its host, or the PostgreSQL row), the order permit in
 * front of every send, and the real Alpaca client, which sends an order every few milliseconds to a fencing broker
 * (test/helpers/handoff.ts) with its token in the client order id. It logs every change of its permit and each
 * order the permit refused after it had held the lease; SIGTERM finishes the order in flight and gives the lease up.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const DIST = pathToFileURL(join(import.meta.dirname, "../../dist/index.js")).href;

/** The bot's source. Reads BROKER_URL, and LEASE_DATABASE_URL for the PostgreSQL lease. */
export function permitBotSource(): string {
  return `import { createServer } from "node:http";
import { AlpacaClient, createOrderPermit, fencedOrderId, fileLeaseStore, leaseHolderName, postgresLeaseStore } from ${JSON.stringify(DIST)};
const env = process.env;
const project = env.TRADEOPS_INSTANCE.split("@")[0];
const account = env.TRADEOPS_LEASE_ACCOUNT;
const ttlMs = Number(env.TRADEOPS_LEASE_TTL_MS || 30000);
const { holder, release, standsBy } = leaseHolderName(env);
const store = env.TRADEOPS_LEASE_BACKEND === "postgres"
  ? await postgresLeaseStore({ url: env.LEASE_DATABASE_URL, display: "lease db", project, account, ttlMs })
  : fileLeaseStore({ dir: env.TRADEOPS_LEASE_DIR, project, account, ttlMs });
const log = (line) => process.stdout.write(new Date().toISOString() + " " + line + "\\n");
const permit = createOrderPermit({
  orders: env.TRADEOPS_ORDERS !== "off",
  holder,
  ...(standsBy ? { release } : {}),
  lease: store,
  ttlMs,
  onChange: (e) => log("permit " + e.from + " -> " + e.to + " token " + e.token + ": " + e.reason),
});
const client = new AlpacaClient({ baseUrl: env.BROKER_URL, credentials: { keyId: "k", secretKey: "s" }, timeoutMs: 5000 });
let stopping = false;
let seq = 0;
let held = false;
let refused = 0;
async function loop() {
  while (!stopping) {
    const permitted = await permit.beforeSend();
    if (permitted.ok) {
      held = true;
      await client
        .createOrder({ symbol: "SPY", qty: "1", side: "buy", type: "market", time_in_force: "day",
          client_order_id: fencedOrderId(permitted.token, holder + "-" + ++seq) })
        .catch((error) => log("order refused by the broker: " + error.message));
    } else if (held && refused++ < 3) log("order refused by the permit (" + permitted.rule + "): " + permitted.reason);
    await new Promise((r) => setTimeout(r, 5));
  }
}
await permit.start();
const running = loop();
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ status: "healthy", service: project, permit: permit.state }));
});
server.listen(Number(env.PORT), "127.0.0.1");
process.on("SIGTERM", async () => {
  stopping = true;
  await running;
  await permit.stop();
  await store.close();
  server.close();
  setTimeout(() => process.exit(0), 100).unref();
});
`;
}
