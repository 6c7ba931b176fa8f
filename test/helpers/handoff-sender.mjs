// A sender for the handoff runs: the real order permit and lease store (from dist/) in front of the real Alpaca
// client, sending an order every few milliseconds while the permit allows it. SIGTERM finishes the order in flight,
// gives the lease up and exits. Prints `ready` once its permit has looked at the lease, `holding <token>` when it
// may send. Settings come from the environment (see test/helpers/handoff.ts).
import {
  AlpacaClient,
  createOrderPermit,
  fencedOrderId,
  fileLeaseStore,
  postgresLeaseStore,
} from "../../dist/index.js";

const env = process.env;
const holder = env.HOLDER;
const ttlMs = Number(env.TTL_MS);
const skew = Number(env.SKEW_MS ?? 0);
const store = env.LEASE_URL
  ? await postgresLeaseStore({ url: env.LEASE_URL, display: "lease db", project: "scalper", account: "paper", ttlMs })
  : fileLeaseStore({ dir: env.LEASE_DIR, project: "scalper", account: "paper", ttlMs, now: () => Date.now() + skew });
const permit = createOrderPermit({
  orders: env.ORDERS === "on",
  holder,
  lease: store,
  ttlMs,
  skewMs: Number(env.SKEW_BOUND_MS),
  onChange: (e) => {
    if (e.to === "holding") process.stdout.write(`holding ${e.token}\n`);
  },
});
const client = new AlpacaClient({
  baseUrl: env.BROKER_URL,
  credentials: { keyId: "k", secretKey: "s" },
  timeoutMs: 5000,
});
let stopping = false;
let seq = 0;
async function loop() {
  while (!stopping) {
    const permitted = await permit.beforeSend();
    if (permitted.ok) {
      await client
        .createOrder({
          symbol: "SPY",
          qty: "1",
          side: "buy",
          type: "market",
          time_in_force: "day",
          client_order_id: fencedOrderId(permitted.token, `${holder}-${++seq}`),
        })
        .catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, Number(env.ORDER_EVERY_MS ?? 5)));
  }
}
await permit.start();
process.stdout.write("ready\n");
const running = loop();
process.on("SIGTERM", async () => {
  stopping = true;
  await running;
  await permit.stop();
  await store.close();
  process.exit(0);
});
