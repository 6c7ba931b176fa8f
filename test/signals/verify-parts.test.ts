/**
 * Verify reads a PostgreSQL chain in two halves at once (two connections on one snapshot) and joins them; SQLite
 * reads it in one pass. Breaks at and around the seam (records 10 and 11 of 20) are named exactly alike on both.
 */
import { afterEach, describe, expect, it } from "vitest";
import { recordHash } from "../../src/signals/index.js";
import type { SignalRecord, SignalStore } from "../../src/signals/types.js";
import { BACKENDS, freshBackend, signals, type TestBackend } from "./backends.js";

const RECORDS = 20;

describe.each(BACKENDS)("verify across the seam of a chain read in parts, on %s", (name) => {
  let backend: TestBackend;
  let store: SignalStore;
  let records: readonly SignalRecord[];
  afterEach(async () => backend?.close());

  async function setUp(): Promise<void> {
    backend = await freshBackend(name);
    store = await backend.open();
    records = await store.append(signals("argo", RECORDS));
    await backend.dropTriggers();
  }

  const sql = (text: string, params: unknown[] = []) => backend.sql(text.replaceAll("$R", backend.records), params);

  async function argo() {
    const report = await store.verify({ project: "argo" });
    return report.chains[0]!;
  }

  it("an intact chain verifies with every record counted once", async () => {
    await setUp();
    expect(await argo()).toMatchObject({ ok: true, records: RECORDS, problems: 0, firstSeq: 1, lastSeq: RECORDS });
  });

  it.each([10, 11])("a payload changed at record %i", async (seq) => {
    await setUp();
    await sql(`UPDATE $R SET payload = '{"side":"buy"}' WHERE project = 'argo' AND seq = ?`, [seq]);
    expect(await argo()).toMatchObject({
      ok: false,
      records: RECORDS,
      problems: 1,
      firstBad: { seq, reason: "changed" },
    });
  });

  it.each([10, 11])("record %i deleted", async (seq) => {
    await setUp();
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq = ?", [seq]);
    expect(await argo()).toMatchObject({
      ok: false,
      records: RECORDS - 1,
      problems: 1,
      firstBad: { seq, reason: "missing", detail: `record ${seq} is missing` },
    });
  });

  it.each([10, 11])("record %i rewritten with its hash recomputed", async (seq) => {
    await setUp();
    const rewritten = { ...records[seq - 1]!, payload: '{"side":"buy","symbol":"TSLA"}' };
    await sql("UPDATE $R SET payload = ?, hash = ? WHERE project = 'argo' AND seq = ?", [
      rewritten.payload,
      recordHash(rewritten),
      seq,
    ]);
    expect(await argo()).toMatchObject({
      ok: false,
      problems: 1,
      firstBad: {
        seq,
        reason: "changed",
        detail: `record ${seq} was rewritten with a recomputed hash: record ${seq + 1} still links to the original`,
      },
    });
  });

  it("records 10 and 11 swapped", async () => {
    await setUp();
    await sql("UPDATE $R SET seq = -1 WHERE project = 'argo' AND seq = 10");
    await sql("UPDATE $R SET seq = 10 WHERE project = 'argo' AND seq = 11");
    await sql("UPDATE $R SET seq = 11 WHERE project = 'argo' AND seq = -1");
    expect(await argo()).toMatchObject({
      ok: false,
      firstBad: { seq: 10, reason: "reordered", detail: "record 10 holds the record written as 11" },
    });
  });

  it("breaks on both sides of the seam: the first is named, each is counted", async () => {
    await setUp();
    await sql(`UPDATE $R SET payload = '{}' WHERE project = 'argo' AND seq IN (3, 10, 11, 18)`);
    expect(await argo()).toMatchObject({ ok: false, problems: 4, firstBad: { seq: 3, reason: "changed" } });
  });
});
