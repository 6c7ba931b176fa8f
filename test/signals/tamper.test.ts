/**
 * Tampering through raw SQL (triggers dropped first, as someone with full database access could): verify detects
 * every kind of change and names the first bad sequence number and why. A second chain stays intact throughout.
 * Breaks at the seam where PostgreSQL's verify joins the two halves it reads at once are named as on SQLite.
 */
import { afterEach, describe, expect, it } from "vitest";
import { rowFromRecord } from "../../src/signals/backend.js";
import { recordHash } from "../../src/signals/index.js";
import type { ChainVerification, SignalRecord, SignalStore } from "../../src/signals/types.js";
import { BACKENDS, freshBackend, signals, type TestBackend } from "./backends.js";

const RECORDS = 20;

describe.each(BACKENDS)("tamper detection on %s", (name) => {
  let backend: TestBackend;
  let store: SignalStore;
  let records: readonly SignalRecord[];
  afterEach(async () => backend?.close());

  async function setUp(): Promise<void> {
    backend = await freshBackend(name);
    store = await backend.open();
    records = await store.append(signals("argo", RECORDS));
    await store.append(signals("lab", 5));
    await backend.dropTriggers();
  }

  const sql = (text: string, params: unknown[] = []) =>
    backend.sql(text.replaceAll("$R", backend.records).replaceAll("$H", backend.heads), params);

  async function verdict(): Promise<ChainVerification> {
    const report = await store.verify();
    expect(report.ok).toBe(false);
    expect(report.chains.find((c) => c.project === "lab")?.ok).toBe(true);
    const argo = report.chains.find((c) => c.project === "argo")!;
    expect(argo.ok).toBe(false);
    expect(argo.problems).toBeGreaterThanOrEqual(1);
    return argo;
  }

  async function insert(r: SignalRecord): Promise<void> {
    await sql("INSERT INTO $R VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rowFromRecord(r));
  }

  async function renumber(from: number, to: number, by: number): Promise<void> {
    const step = by > 0 ? -1 : 1;
    const [start, end] = by > 0 ? [to, from] : [from, to];
    for (let seq = start; step > 0 ? seq <= end : seq >= end; seq += step)
      await sql("UPDATE $R SET seq = ? WHERE project = 'argo' AND seq = ?", [seq + by, seq]);
  }

  it("an intact chain verifies (the baseline of every case below)", async () => {
    await setUp();
    const report = await store.verify();
    expect(report.chains.every((c) => c.ok)).toBe(true);
    expect(report.chains.find((c) => c.project === "argo")).toMatchObject({ records: RECORDS, problems: 0 });
    // the triggers setUp dropped are themselves reported where the backend can tell
    if (name === "sqlite") {
      expect(report.ok).toBe(false);
      expect(report.integrity.map((f) => f.reason)).toContain("trigger-dropped");
    } else expect(report.ok).toBe(true);
  });

  it("a changed payload", async () => {
    await setUp();
    await sql(`UPDATE $R SET payload = '{"side":"buy"}' WHERE project = 'argo' AND seq = 7`);
    expect((await verdict()).firstBad).toEqual({
      seq: 7,
      reason: "changed",
      detail: "record 7 was changed: its content does not match its hash",
    });
  });

  it("a changed hash", async () => {
    await setUp();
    await sql(`UPDATE $R SET hash = ? WHERE project = 'argo' AND seq = 7`, ["f".repeat(64)]);
    expect((await verdict()).firstBad).toEqual({
      seq: 7,
      reason: "changed",
      detail: "record 7 was changed: its stored hash was altered",
    });
  });

  it("a deleted record", async () => {
    await setUp();
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq = 7");
    expect((await verdict()).firstBad).toEqual({ seq: 7, reason: "missing", detail: "record 7 is missing" });
  });

  it("a deleted record with the later ones renumbered", async () => {
    await setUp();
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq = 7");
    await renumber(8, RECORDS, -1);
    await sql("UPDATE $H SET head_seq = ? WHERE project = 'argo'", [RECORDS - 1]);
    expect((await verdict()).firstBad).toMatchObject({ seq: 7, reason: "missing" });
  });

  it("a forged record inserted in the middle", async () => {
    await setUp();
    await renumber(7, RECORDS, +1);
    const forged = { ...records[6]!, payload: '{"side":"buy","symbol":"TSLA"}', prevHash: records[5]!.hash };
    await insert({ ...forged, hash: recordHash(forged) });
    await sql("UPDATE $H SET head_seq = ? WHERE project = 'argo'", [RECORDS + 1]);
    expect((await verdict()).firstBad).toEqual({
      seq: 7,
      reason: "inserted",
      detail: "record 7 was inserted: the records after it were renumbered to make room",
    });
  });

  it("a forged record appended behind the store's back", async () => {
    await setUp();
    const last = records[RECORDS - 1]!;
    const forged = { ...last, seq: RECORDS + 1, prevHash: last.hash, payload: '{"side":"sell"}' };
    await insert({ ...forged, hash: recordHash(forged) });
    expect((await verdict()).firstBad).toMatchObject({ seq: RECORDS + 1, reason: "inserted" });
  });

  it("two records swapped", async () => {
    await setUp();
    await sql("UPDATE $R SET seq = -1 WHERE project = 'argo' AND seq = 7");
    await sql("UPDATE $R SET seq = 7 WHERE project = 'argo' AND seq = 8");
    await sql("UPDATE $R SET seq = 8 WHERE project = 'argo' AND seq = -1");
    expect((await verdict()).firstBad).toEqual({
      seq: 7,
      reason: "reordered",
      detail: "record 7 holds the record written as 8",
    });
  });

  it("a truncated tail", async () => {
    await setUp();
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq > 15");
    expect((await verdict()).firstBad).toEqual({
      seq: 16,
      reason: "missing",
      detail: "records 16–20 are missing: the tail was cut off",
    });
  });

  it("deleted first records with no checkpoint", async () => {
    await setUp();
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq <= 3");
    expect((await verdict()).firstBad).toEqual({
      seq: 1,
      reason: "missing",
      detail: "records 1–3 are missing and no checkpoint records a cut there",
    });
  });

  it("a record rewritten through raw SQL with its hash recomputed", async () => {
    await setUp();
    const rewritten = { ...records[6]!, payload: '{"side":"buy","symbol":"AAPL"}' };
    await sql("UPDATE $R SET payload = ?, hash = ? WHERE project = 'argo' AND seq = 7", [
      rewritten.payload,
      recordHash(rewritten),
    ]);
    expect((await verdict()).firstBad).toEqual({
      seq: 7,
      reason: "changed",
      detail: "record 7 was rewritten with a recomputed hash: record 8 still links to the original",
    });
  });

  it("a first record rewritten to start from another hash", async () => {
    await setUp();
    const moved = { ...records[0]!, prevHash: "e".repeat(64) };
    await sql("UPDATE $R SET prev_hash = ?, hash = ? WHERE project = 'argo' AND seq = 1", [
      moved.prevHash,
      recordHash(moved),
    ]);
    const argo = await verdict();
    expect(argo.firstBad).toEqual({
      seq: 1,
      reason: "changed",
      detail: "record 1 was rewritten with a recomputed hash: record 2 still links to the original",
    });
  });

  it("a chain whose head row was deleted", async () => {
    await setUp();
    await sql("DELETE FROM $H WHERE project = 'argo'");
    expect((await verdict()).firstBad).toEqual({
      seq: 1,
      reason: "inserted",
      detail: "the chain has records but the store never recorded a head for it",
    });
  });

  it("names the first of several breaks and counts them all", async () => {
    await setUp();
    await sql(`UPDATE $R SET payload = '{}' WHERE project = 'argo' AND seq IN (4, 12)`);
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq = 16");
    const argo = await verdict();
    expect(argo.firstBad).toMatchObject({ seq: 4, reason: "changed" });
    expect(argo.problems).toBe(3);
  });

  it("refuses to append onto a chain whose tail was cut (the head does not match)", async () => {
    await setUp();
    await sql("DELETE FROM $R WHERE project = 'argo' AND seq > 15");
    await expect(store.append(signals("argo", 1))).rejects.toMatchObject({ code: "TRO_ERR_SIGNALS_CHAIN_BROKEN" });
    expect((await store.head("argo"))?.seq).toBe(15);
  });

  // PostgreSQL verify reads a chain in two halves at once (two connections on one snapshot) and joins them;
  // SQLite in one pass: breaks at and around the seam (records 10 and 11 of 20) are named exactly alike on both
  describe("across the seam of a chain read in parts", () => {
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
});
