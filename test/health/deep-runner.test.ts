import { createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseCheck, injectedCheck } from "../../src/health/deep/checks.js";
import { createDeepRunner, runCheck } from "../../src/health/deep/runner.js";
import { manualClock } from "./clock.js";

/** A TCP server that accepts connections and never answers: a database that hangs. */
let silent: Server;
let silentPort = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

/** A ping through the real PostgreSQL client, cancelled when the check's deadline aborts it. */
function pgPing(connectionString: string) {
  return async (signal: AbortSignal) => {
    const client = new pg.Client({ connectionString });
    client.on("error", () => {});
    signal.addEventListener("abort", () => void client.end().catch(() => {}), { once: true });
    await client.connect();
    await client.query("select 1");
    await client.end();
  };
}

const TIMEOUT_MS = 400;

describe("level-3 runner", () => {
  it("finishes within the hanging check's timeout and names it, while the others still report", async () => {
    const url = `postgres://admin:s3cr3t-pw@127.0.0.1:${silentPort}/prod`;
    const runner = createDeepRunner([
      databaseCheck(pgPing(url), { timeoutMs: TIMEOUT_MS }),
      injectedCheck("broker", async () => ({ ok: true, observedValue: 12, observedUnit: "ms" })),
      injectedCheck("secrets", () => true),
    ]);
    const started = performance.now();
    const round = await runner.run();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 300);
    expect(round.checks.database).toMatchObject({ status: "unhealthy", error_code: "TIMEOUT", critical: true });
    expect(round.checks.broker).toMatchObject({ status: "healthy", error_code: null, observed_value: 12 });
    expect(round.checks.secrets!.status).toBe("healthy");
    expect(JSON.stringify(round)).not.toMatch(/s3cr3t|admin|postgres:|127\.0\.0\.1/);
  });

  it("runs the checks in parallel, not one after another", async () => {
    const slow = (name: string) => injectedCheck(name, () => new Promise((r) => setTimeout(() => r(true), 250)));
    const runner = createDeepRunner([slow("a"), slow("b"), slow("c"), slow("d")]);
    const started = performance.now();
    const round = await runner.run();
    expect(performance.now() - started).toBeLessThan(750);
    expect(Object.values(round.checks).every((c) => c.status === "healthy")).toBe(true);
  });

  it("caches a round (failures too) and shares the one in flight", async () => {
    const clock = manualClock();
    let runs = 0;
    const runner = createDeepRunner(
      [
        injectedCheck("flaky", async () => {
          runs++;
          return { ok: false, code: "BROKER_DOWN" };
        }),
      ],
      { clock, cacheTtlMs: 5000 },
    );
    const [a, b] = await Promise.all([runner.run(), runner.run()]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    clock.advance(4999);
    expect((await runner.run()).checks.flaky!.error_code).toBe("BROKER_DOWN");
    expect(runs).toBe(1);
    clock.advance(1);
    await runner.run();
    expect(runs).toBe(2);
  });

  it("keeps codes and drops messages from thrown errors", async () => {
    const error = Object.assign(new Error("getaddrinfo ENOTFOUND db-primary.internal.example"), { code: "ENOTFOUND" });
    expect(await runCheck(injectedCheck("db", () => Promise.reject(error)))).toMatchObject({ error_code: "ENOTFOUND" });
    const plain = new Error("password authentication failed for user trader (password=hunter22)");
    expect(await runCheck(injectedCheck("db", () => Promise.reject(plain)))).toMatchObject({ error_code: "ERROR" });
    const bad = await runCheck(injectedCheck("db", () => ({ ok: false, code: "see http://10.0.0.5/x" })));
    expect(bad.error_code).toBe("FAILED");
    expect(await runCheck(injectedCheck("db", () => false))).toMatchObject({
      status: "unhealthy",
      error_code: "FAILED",
    });
    const syncThrow = await runCheck(
      injectedCheck("db", () => {
        throw new Error("boom");
      }),
    );
    expect(syncThrow.error_code).toBe("ERROR");
  });

  it("refuses malformed and duplicate check names", () => {
    expect(() => createDeepRunner([injectedCheck("db at host", () => true)])).toThrow("is not a valid name");
    expect(() => createDeepRunner([injectedCheck("db", () => true), injectedCheck("db", () => true)])).toThrow(
      'check "db" is defined twice',
    );
  });
});
