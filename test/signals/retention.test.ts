/** Retention on both backends: prune cuts the old prefix, leaves a chained checkpoint, the rest still verifies. */
import { afterEach, describe, expect, it } from "vitest";
import { parseCheckpoint } from "../../src/signals/index.js";
import type { SignalRecord } from "../../src/signals/types.js";
import { BACKENDS, freshBackend, signals, type TestBackend } from "./backends.js";

const DAY = 86_400_000;
const NOW = new Date("2025-06-30T12:00:00.000Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

async function all(iterable: AsyncIterable<readonly SignalRecord[]>): Promise<SignalRecord[]> {
  const out: SignalRecord[] = [];
  for await (const page of iterable) out.push(...page);
  return out;
}

describe.each(BACKENDS)("retention on %s", (name) => {
  let backend: TestBackend;
  afterEach(async () => backend?.close());

  /** 10 records 20..11 days old, then 5 records 3..-1 days old */
  async function aged() {
    backend = await freshBackend(name);
    const store = await backend.open({ now: () => NOW });
    const old = signals("argo", 10).map((s, i) => ({ ...s, time: daysAgo(20 - i) }));
    const young = signals("argo", 5, 10).map((s, i) => ({ ...s, time: daysAgo(3 - i) }));
    const records = await store.append([...old, ...young]);
    await store.append(signals("lab", 2).map((s) => ({ ...s, time: daysAgo(1) })));
    return { store, records };
  }

  it("deletes what is past retention, keeps a checkpoint at the cut, and the rest verifies", async () => {
    const { store, records } = await aged();
    const [argo, lab] = await store.prune({ retentionDays: 7 });
    expect(argo).toMatchObject({ project: "argo", deleted: 10, firstSeq: 1, throughSeq: 10, checkpointSeq: 16 });
    expect(argo!.throughHash).toBe(records[9]!.hash);
    expect(lab).toMatchObject({ project: "lab", deleted: 0 });
    const left = await all(store.read({ project: "argo" }));
    expect(left.map((r) => r.seq)).toEqual([11, 12, 13, 14, 15, 16]);
    const checkpoint = left[5]!;
    expect(checkpoint.kind).toBe("checkpoint");
    expect(checkpoint.prevHash).toBe(records[14]!.hash);
    expect(parseCheckpoint(checkpoint)).toMatchObject({ firstSeq: 1, throughSeq: 10, retentionDays: 7 });
    const report = await store.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ firstSeq: 11, lastSeq: 16, records: 6, checkpoint: { seq: 16 } });
  });

  it("a dry run reports the cut and changes nothing", async () => {
    const { store } = await aged();
    const [argo] = await store.prune({ retentionDays: 7, dryRun: true });
    expect(argo).toMatchObject({ deleted: 10, throughSeq: 10, dryRun: true });
    expect(argo!.checkpointSeq).toBeUndefined();
    expect((await all(store.read({ project: "argo" }))).length).toBe(15);
  });

  it("never deletes a record inside retention, even after an older one (clock went backwards)", async () => {
    backend = await freshBackend(name);
    const store = await backend.open({ now: () => NOW });
    const times = [30, 29, 2, 28, 27].map(daysAgo);
    await store.append(signals("argo", 5).map((s, i) => ({ ...s, time: times[i] })));
    const [argo] = await store.prune({ retentionDays: 7 });
    expect(argo).toMatchObject({ deleted: 2, throughSeq: 2 });
    expect((await store.verify()).ok).toBe(true);
  });

  it("prunes repeatedly; a chain pruned to nothing keeps its checkpoint and continues", async () => {
    const { store } = await aged();
    await store.prune({ retentionDays: 7 });
    const later = await backend.open({ now: () => new Date(NOW.getTime() + 30 * DAY) });
    const [argo] = await later.prune({ retentionDays: 7 });
    expect(argo).toMatchObject({ firstSeq: 11, throughSeq: 16, deleted: 6, checkpointSeq: 17 });
    expect((await all(later.read({ project: "argo" }))).map((r) => [r.seq, r.kind])).toEqual([[17, "checkpoint"]]);
    await later.append(signals("argo", 2));
    const report = await later.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ firstSeq: 17, lastSeq: 19, checkpoint: { seq: 17, throughSeq: 16 } });
  });

  it("detects records deleted past a checkpoint's cut", async () => {
    const { store } = await aged();
    await store.prune({ retentionDays: 7 });
    await backend.dropTriggers();
    await backend.sql(`DELETE FROM ${backend.records} WHERE project = 'argo' AND seq <= 12`);
    const chain = (await store.verify({ project: "argo" })).chains[0]!;
    expect(chain.firstBad).toEqual({
      seq: 11,
      reason: "missing",
      detail: "records 11–12 are missing and no checkpoint records a cut there",
    });
  });

  it("refuses to prune a broken chain (it would destroy the evidence)", async () => {
    const { store } = await aged();
    await backend.dropTriggers();
    await backend.sql(`UPDATE ${backend.records} SET payload = '{}' WHERE project = 'argo' AND seq = 2`);
    await expect(store.prune({ retentionDays: 7 })).rejects.toMatchObject({
      code: "TRO_ERR_SIGNALS_CHAIN_BROKEN",
      message: "Refusing to prune: the signal chain development/argo is broken at record 2 (changed).",
    });
    expect((await all(store.read({ project: "argo" }))).length).toBe(15);
  });
});
