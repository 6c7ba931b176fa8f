/**
 * Verify of a chain that spans several read pages on either backend: intact, then a changed record found at its
 * exact sequence number, twice on the same store.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SignalStore } from "../../src/signals/types.js";
import { BACKENDS, freshBackend, signals, type TestBackend } from "./backends.js";

/** more than two verify pages on SQLite (4,096 rows each) and on PostgreSQL (10,000) */
const LONG = 21_500;

describe.each(BACKENDS)("verify of a long chain on %s", (name) => {
  let backend: TestBackend;
  afterEach(async () => backend?.close());

  async function longChain(): Promise<SignalStore> {
    backend = await freshBackend(name);
    const store = await backend.open({ durability: "relaxed" });
    for (let from = 0; from < LONG; from += 5000)
      await store.append(signals("argo", Math.min(5000, LONG - from), from));
    await store.append(signals("lab", 3));
    return store;
  }

  it("verifies it intact, then finds a payload changed behind the store's back at its exact record", async () => {
    const store = await longChain();
    const intact = await store.verify();
    expect(intact.chains.map((c) => [c.project, c.records, c.ok, c.problems])).toEqual([
      ["argo", LONG, true, 0],
      ["lab", 3, true, 0],
    ]);
    await backend.dropTriggers();
    const bad = LONG - 1234;
    await backend.sql(`UPDATE ${backend.records} SET payload = ? WHERE project = 'argo' AND seq = ?`, [
      '{"side":"sell"}',
      bad,
    ]);
    for (let i = 0; i < 2; i++) {
      const argo = (await store.verify({ project: "argo" })).chains[0]!;
      expect(argo).toMatchObject({ ok: false, records: LONG, problems: 1 });
      expect(argo.firstBad).toMatchObject({ seq: bad, reason: "changed" });
    }
  });
});
