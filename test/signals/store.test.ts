/** The store on both backends: chaining, several chains, reads, idempotent schema, refused input leaves nothing. */
import { afterEach, describe, expect, it } from "vitest";
import { GENESIS_HASH, recordHash } from "../../src/signals/index.js";
import type { SignalRecord } from "../../src/signals/types.js";
import { BACKENDS, freshBackend, signals, type TestBackend } from "./backends.js";

async function all(iterable: AsyncIterable<readonly SignalRecord[]>): Promise<SignalRecord[]> {
  const out: SignalRecord[] = [];
  for await (const page of iterable) out.push(...page);
  return out;
}

describe.each(BACKENDS)("signal store on %s", (name) => {
  let backend: TestBackend;
  afterEach(async () => backend?.close());

  it("chains records: sequence from 1, each links to the previous hash, hashes recompute", async () => {
    backend = await freshBackend(name);
    const store = await backend.open({ now: () => new Date("2025-03-04T05:06:07.089Z") });
    const first = await store.append(signals("argo", 3));
    const second = await store.append(signals("argo", 2, 3));
    const records = [...first, ...second];
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
    for (const r of records) {
      expect(r.hash).toBe(recordHash(r));
      expect(r).toMatchObject({ environment: "development", project: "argo", time: "2025-03-04T05:06:07.089Z" });
    }
    expect(records[0]!.payload).toBe('{"n":0,"price":187.25,"side":"sell","symbol":"AAPL"}');
    expect(await store.head("argo")).toEqual({ seq: 5, hash: records[4]!.hash });
    expect(await all(store.read({ project: "argo" }))).toEqual(records);
    expect((await store.verify()).ok).toBe(true);
  });

  it("chains a batch larger than one INSERT chunk, interleaved with a second chain, as one unbroken chain each", async () => {
    backend = await freshBackend(name);
    const store = await backend.open();
    const argo = signals("argo", 1001);
    const lab = signals("lab", 260);
    const mixed = [...argo.slice(0, 600), ...lab, ...argo.slice(600)];
    const records = await store.append(mixed);
    expect(records.map((r) => r.project)).toEqual(mixed.map((m) => m.project));
    const chain = await all(store.read({ project: "argo" }));
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.prevHash).toBe(chain[i - 1]!.hash);
    expect(await store.head("argo")).toEqual({ seq: 1001, hash: chain[1000]!.hash });
    expect(await store.head("lab")).toMatchObject({ seq: 260 });
    const more = await store.append(signals("argo", 1, 1001));
    expect(more[0]).toMatchObject({ seq: 1002, prevHash: chain[1000]!.hash });
    const report = await store.verify();
    expect(report.chains.map((c) => [c.project, c.records, c.ok])).toEqual([
      ["argo", 1002, true],
      ["lab", 260, true],
    ]);
  });

  it("keeps one chain per project and returns records in the caller's order", async () => {
    backend = await freshBackend(name);
    const store = await backend.open();
    const mixed = [signals("argo", 1)[0]!, signals("lab", 1)[0]!, signals("argo", 1, 1)[0]!];
    const records = await store.append(mixed);
    expect(records.map((r) => [r.project, r.seq])).toEqual([
      ["argo", 1],
      ["lab", 1],
      ["argo", 2],
    ]);
    expect(await store.chains()).toEqual([
      { environment: "development", project: "argo" },
      { environment: "development", project: "lab" },
    ]);
    const report = await store.verify();
    expect(report.chains.map((c) => [c.project, c.records, c.ok])).toEqual([
      ["argo", 2, true],
      ["lab", 1, true],
    ]);
  });

  it("stores text that SQL or the shell would read specially, and project names with quotes, unchanged", async () => {
    backend = await freshBackend(name);
    const store = await backend.open();
    const awkward = { quote: "it's", backslash: "C:\\path\\n", dollars: "$1 $2::json $$", unicode: "€ 株 😀" };
    const inputs = ["o'brien", "lab"].flatMap((project) => [
      { project, kind: "signal" as const, strategy: "x'y\\z", release: "r\\N", payload: awkward },
      { project, kind: "signal" as const, payload: { n: 2 } },
    ]);
    const records = await store.append(inputs);
    expect(records.map((r) => [r.project, r.seq])).toEqual([
      ["o'brien", 1],
      ["o'brien", 2],
      ["lab", 1],
      ["lab", 2],
    ]);
    expect(JSON.parse(records[0]!.payload)).toEqual(awkward);
    expect(await all(store.read({ project: "o'brien" }))).toEqual(records.slice(0, 2));
    expect((await store.append(inputs.slice(0, 1)))[0]!.seq).toBe(3);
    expect((await store.verify()).ok).toBe(true);
  });

  it("keeps environments apart in one database", async () => {
    backend = await freshBackend(name);
    const dev = await backend.open({ environment: "development" });
    const test = await backend.open({ environment: "test" });
    await dev.append(signals("argo", 2));
    await test.append(signals("argo", 1));
    expect((await dev.head("argo"))?.seq).toBe(2);
    expect((await test.head("argo"))?.seq).toBe(1);
    expect((await test.verify()).chains).toHaveLength(1);
  });

  it("reads ranges by sequence and time, newest first for tail", async () => {
    backend = await freshBackend(name);
    const store = await backend.open();
    const inputs = signals("argo", 10).map((s, i) => ({ ...s, time: new Date(Date.UTC(2025, 0, 1 + i)) }));
    await store.append(inputs);
    const bySeq = await all(store.read({ project: "argo", fromSeq: 3, toSeq: 5 }));
    expect(bySeq.map((r) => r.seq)).toEqual([3, 4, 5]);
    const byTime = await all(
      store.read({ project: "argo", fromTime: "2025-01-04T00:00:00.000Z", toTime: "2025-01-06T00:00:00.000Z" }),
    );
    expect(byTime.map((r) => r.seq)).toEqual([4, 5, 6]);
    const tail = await all(store.read({ project: "argo", descending: true, limit: 3 }));
    expect(tail.map((r) => r.seq)).toEqual([10, 9, 8]);
  });

  it("refuses an invalid record in a batch and stores none of the batch", async () => {
    backend = await freshBackend(name);
    const store = await backend.open();
    await store.append(signals("argo", 1));
    const batch = [...signals("argo", 2), { project: "argo", kind: "signal" as const, payload: { price: Number.NaN } }];
    await expect(store.append(batch)).rejects.toMatchObject({
      code: "TRO_ERR_USAGE",
      message: "Signal record 3 of 3: payload.price is not a finite number (NaN).",
    });
    await expect(store.append([{ project: "argo", kind: "checkpoint" as never, payload: 1 }])).rejects.toMatchObject({
      code: "TRO_ERR_USAGE",
    });
    await expect(store.append([{ project: "ar\ngo", kind: "signal", payload: 1 }])).rejects.toThrow(
      "Signal record 1 of 1: project contains a control character or broken Unicode.",
    );
    expect((await store.head("argo"))?.seq).toBe(1);
  });

  it("refuses a payload found bad after earlier chunks of its batch were inserted, and keeps none of the batch", async () => {
    backend = await freshBackend(name);
    const store = await backend.open();
    await store.append(signals("argo", 1));
    const bad = { project: "argo", kind: "signal" as const, payload: { qty: 10n } };
    const batch = [...signals("argo", 700, 1), bad, ...signals("argo", 50, 701)];
    await expect(store.append(batch)).rejects.toMatchObject({
      code: "TRO_ERR_USAGE",
      message: "Signal record 701 of 751: payload.qty is a bigint, which JSON cannot hold.",
    });
    expect((await store.head("argo"))?.seq).toBe(1);
    expect(await all(store.read({ project: "argo" }))).toHaveLength(1);
    expect((await store.append(signals("argo", 2, 1)))[0]).toMatchObject({ seq: 2 });
    expect((await store.verify()).ok).toBe(true);
  });

  it("two stores appending to one chain in turn each chain onto what the other wrote last", async () => {
    backend = await freshBackend(name);
    const a = await backend.open();
    const b = await backend.open();
    const written = [
      ...(await a.append(signals("argo", 150))),
      ...(await b.append(signals("argo", 150, 150))),
      ...(await a.append(signals("argo", 150, 300))),
      ...(await a.append(signals("argo", 5, 450))),
    ];
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 455 }, (_, i) => i + 1));
    for (let i = 1; i < written.length; i++) expect(written[i]!.prevHash).toBe(written[i - 1]!.hash);
    expect(await all(a.read({ project: "argo" }))).toEqual(written);
    expect((await b.verify()).ok).toBe(true);
  });

  it("creates and migrates the schema idempotently, also from two openers at once", async () => {
    backend = await freshBackend(name);
    const [a, b] = await Promise.all([backend.open(), backend.open()]);
    await a!.append(signals("argo", 1));
    await b!.append(signals("argo", 1, 1));
    const again = await backend.open();
    expect((await again.head("argo"))?.seq).toBe(2);
    const version = await backend.sql(
      `SELECT value FROM ${name === "sqlite" ? "signal_meta" : "tradeops.signal_meta"} WHERE key = 'schema_version'`,
    );
    // SQLite is at version 2 (the high-water mark); PostgreSQL at 1
    expect(version).toEqual([{ value: name === "sqlite" ? "2" : "1" }]);
  });

  it("opens read-only without creating anything", async () => {
    backend = await freshBackend(name);
    if (name === "sqlite") {
      await expect(backend.open({ readOnly: true })).rejects.toMatchObject({
        code: "TRO_ERR_SIGNALS_STORE",
        message: `There is no signal store at ${backend.location.display}.`,
      });
    } else {
      await expect(backend.open({ readOnly: true })).rejects.toThrow(
        /^Cannot open the signal store postgres:\/\/.*: the database holds no tradeops signal log\.$/,
      );
      expect(await backend.sql("SELECT to_regclass('tradeops.signal_records') AS t")).toEqual([{ t: null }]);
    }
    await (await backend.open()).append(signals("argo", 1));
    const reader = await backend.open({ readOnly: true });
    expect((await reader.verify()).ok).toBe(true);
  });
});
