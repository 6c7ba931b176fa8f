/**
 * Store unavailable: with storage required the recorder halts order sending, spools and reports unhealthy; with
 * storage optional it keeps trading and says so. Real failures only: a store path blocked by a file, a database
 * dropped under a live connection, a port nobody listens on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  openSignalStoreAt,
  SignalRecorder,
  SignalSpool,
  type SignalStore,
  type StoreLocation,
} from "../../src/signals/index.js";
import { createDatabase } from "../helpers/postgres.js";
import { signals } from "./backends.js";

const RETRY = 5_000;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function blockedSqlite() {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-recorder-"));
  const blocker = join(dir, "state");
  writeFileSync(blocker, "a file where the store's directory should be");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const location: StoreLocation = { backend: "sqlite", path: join(blocker, "signals.db"), display: "state/signals.db" };
  return { dir, location, unblock: () => rmSync(blocker) };
}

function recorderFor(location: () => StoreLocation, required: boolean, spool: SignalSpool) {
  let clock = 1_000_000;
  const stores: SignalStore[] = [];
  const recorder = new SignalRecorder({
    open: async () => {
      const store = await openSignalStoreAt(location(), { environment: required ? "production" : "development" });
      stores.push(store);
      return store;
    },
    required,
    spool,
    now: () => clock,
    retryMs: RETRY,
  });
  cleanups.push(() => recorder.close());
  return { recorder, advance: (ms: number) => (clock += ms), stores };
}

describe("signal recorder", () => {
  it("required storage unavailable: halts orders, spools, reports unhealthy; recovers in order", async () => {
    const { dir, location, unblock } = blockedSqlite();
    const { recorder, advance } = recorderFor(
      () => location,
      true,
      new SignalSpool({ path: join(dir, "spool.jsonl") }),
    );
    const started = await recorder.start();
    expect(started).toMatchObject({ state: "unavailable", status: "unhealthy", ordersAllowed: false });
    expect(started.errorCode).toBe("TRO_ERR_SIGNALS_STORE");
    expect(await recorder.record(signals("argo", 3))).toEqual({ stored: 0, spooled: 3, dropped: 0 });
    expect(recorder.status().message).toBe(
      "signal store unavailable: order sending halted (3 records spooled, 0 dropped)",
    );

    unblock();
    expect(await recorder.record(signals("argo", 1, 3))).toMatchObject({ spooled: 1 }); // before the retry delay
    expect(recorder.ordersAllowed()).toBe(false);
    advance(RETRY);
    expect(await recorder.record(signals("argo", 1, 4))).toEqual({ stored: 1, spooled: 0, dropped: 0 });
    expect(recorder.status()).toMatchObject({
      state: "ready",
      status: "healthy",
      ordersAllowed: true,
      spooled: 0,
      message: "recording to the sqlite signal store",
    });

    const store = await openSignalStoreAt(location, { environment: "production", readOnly: true });
    cleanups.push(() => store.close());
    const stored = [];
    for await (const page of store.read({ project: "argo" })) stored.push(...page);
    expect(stored.map((r) => JSON.parse(r.payload).n)).toEqual([0, 1, 2, 3, 4]);
    // spooled records keep the time they were recorded at, not the time they were drained
    expect(stored.map((r) => r.time)).toEqual([
      ...Array(4).fill(new Date(1_000_000).toISOString()),
      new Date(1_005_000).toISOString(),
    ]);
    expect((await store.verify()).ok).toBe(true);
  });

  it("optional storage unavailable: trading continues and the status says so", async () => {
    const { dir, location } = blockedSqlite();
    const { recorder } = recorderFor(() => location, false, new SignalSpool({ path: join(dir, "spool.jsonl") }));
    await recorder.start();
    await recorder.record(signals("argo", 2));
    expect(recorder.status()).toMatchObject({
      state: "unavailable",
      status: "degraded",
      ordersAllowed: true,
      spooled: 2,
    });
    expect(recorder.status().message).toBe(
      "signal store unavailable, storage optional: trading continues (2 records spooled, 0 dropped)",
    );
  });

  it("the spool is bounded: new records beyond it are dropped and counted", async () => {
    const { location } = blockedSqlite();
    const { recorder } = recorderFor(() => location, true, new SignalSpool({ maxRecords: 3 }));
    await recorder.start();
    expect(await recorder.record(signals("argo", 5))).toEqual({ stored: 0, spooled: 3, dropped: 2 });
    expect(recorder.status()).toMatchObject({ spooled: 3, dropped: 2 });
  });

  it("a spool left by a crashed run is drained first when the next run starts", async () => {
    const { dir, location, unblock } = blockedSqlite();
    const path = join(dir, "spool.jsonl");
    const first = recorderFor(() => location, true, new SignalSpool({ path }));
    await first.recorder.start();
    await first.recorder.record(signals("argo", 2));
    unblock();
    mkdirSync(join(dir, "state"));
    const second = recorderFor(() => location, true, new SignalSpool({ path }));
    expect(await second.recorder.start()).toMatchObject({ state: "ready", spooled: 0 });
    expect(await second.stores[0]!.head("argo")).toMatchObject({ seq: 2 });
  });

  it("refuses an invalid record whatever the store's state, and spools nothing", async () => {
    const { location } = blockedSqlite();
    const spool = new SignalSpool();
    const { recorder } = recorderFor(() => location, true, spool);
    await recorder.start();
    await expect(recorder.record([{ project: "argo", kind: "signal", payload: Number.NaN }])).rejects.toMatchObject({
      code: "TRO_ERR_USAGE",
    });
    expect(spool.size).toBe(0);
  });

  it("PostgreSQL lost under a running recorder: unhealthy and spooling until it is back", async () => {
    const url = await createDatabase("recorder");
    const name = new URL(url).pathname.slice(1);
    let location: StoreLocation = { backend: "postgres", url, display: url, secrets: [] };
    const { recorder, advance } = recorderFor(() => location, true, new SignalSpool());
    expect((await recorder.start()).state).toBe("ready");
    expect(await recorder.record(signals("argo", 2))).toMatchObject({ stored: 2 });

    const admin = new pg.Client({ connectionString: new URL("/postgres", url).toString() });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    expect(await recorder.record(signals("argo", 1, 2))).toMatchObject({ stored: 0, spooled: 1 });
    expect(recorder.status()).toMatchObject({
      status: "unhealthy",
      ordersAllowed: false,
      errorCode: "TRO_ERR_SIGNALS_STORE",
    });
    expect(JSON.stringify(recorder.status())).not.toContain("127.0.0.1");

    location = { backend: "postgres", url: "postgres://nobody@127.0.0.1:9/none", display: "pg", secrets: [] };
    advance(RETRY);
    expect(await recorder.retry()).toBe(false);
    expect(recorder.status().state).toBe("unavailable");

    location = { backend: "postgres", url: await createDatabase("recorder"), display: "pg", secrets: [] };
    advance(RETRY);
    expect(await recorder.record(signals("argo", 1, 3))).toMatchObject({ stored: 1 });
    expect(recorder.status()).toMatchObject({ state: "ready", ordersAllowed: true });
    // health output never names the database host
    expect(JSON.stringify(recorder.status())).not.toContain("127.0.0.1");
  });
});
