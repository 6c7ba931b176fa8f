/** The database itself refuses to change records: UPDATE, DELETE (and TRUNCATE) through SQL, on both backends. */
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS, freshBackend, signals, type TestBackend } from "./backends.js";

describe.each(BACKENDS)("append-only at the database on %s", (name) => {
  let backend: TestBackend;
  afterEach(async () => backend?.close());

  async function setUp() {
    backend = await freshBackend(name);
    const store = await backend.open();
    await store.append(signals("argo", 5));
    return store;
  }

  const count = async () => Number((await backend.sql(`SELECT count(*) AS n FROM ${backend.records}`))[0]!.n);

  it("refuses UPDATE of any column", async () => {
    const store = await setUp();
    for (const assignment of ["payload = '{}'", "hash = 'x'", "seq = seq + 100", "time = '2000-01-01T00:00:00.000Z'"])
      await expect(backend.sql(`UPDATE ${backend.records} SET ${assignment} WHERE seq = 3`)).rejects.toThrow(
        /signal records are append-only: UPDATE is refused/,
      );
    expect((await store.verify()).ok).toBe(true);
  });

  it("refuses DELETE of one record and of all records", async () => {
    const store = await setUp();
    await expect(backend.sql(`DELETE FROM ${backend.records} WHERE seq = 3`)).rejects.toThrow(
      /signal records are append-only: DELETE is refused/,
    );
    await expect(backend.sql(`DELETE FROM ${backend.records}`)).rejects.toThrow(/append-only: DELETE is refused/);
    expect(await count()).toBe(5);
    expect((await store.verify()).ok).toBe(true);
  });

  it("refuses to move a chain head backwards or delete it", async () => {
    await setUp();
    await expect(backend.sql(`UPDATE ${backend.heads} SET head_seq = 2`)).rejects.toThrow(/only moves forward/);
    await expect(backend.sql(`DELETE FROM ${backend.heads}`)).rejects.toThrow(/heads? (cannot be deleted|only moves)/);
  });

  // SQLite has no TRUNCATE (a DELETE without WHERE, refused above)
  if (name === "postgres")
    it("refuses TRUNCATE", async () => {
      await setUp();
      await expect(backend.sql(`TRUNCATE ${backend.records}`)).rejects.toThrow(/append-only: TRUNCATE is refused/);
      await expect(backend.sql(`TRUNCATE ${backend.heads}`)).rejects.toThrow(/TRUNCATE is refused/);
      expect(await count()).toBe(5);
    });

  it("a DELETE outside the prune path is refused even for records a prune may remove", async () => {
    await setUp();
    // SQLite: a grant row for another chain does not open this one; PostgreSQL: the setting is transaction-local
    if (name === "sqlite") {
      await backend.sql("INSERT INTO signal_prune_grants VALUES ('development', 'other', 100)");
      await expect(backend.sql("DELETE FROM signal_records WHERE seq = 1")).rejects.toThrow(/DELETE is refused/);
    } else {
      await backend.sql("SELECT set_config('tradeops.prune', 'on', true)");
      await expect(backend.sql(`DELETE FROM ${backend.records} WHERE seq = 1`)).rejects.toThrow(/DELETE is refused/);
    }
    expect(await count()).toBe(5);
  });
});
