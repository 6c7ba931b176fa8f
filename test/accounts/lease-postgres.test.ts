/**
 * The PostgreSQL executor lease against a real server: one row per project and account, tokens that only grow,
 * one winner among concurrent acquirers, expiry by the database's clock, renew and release only with the current
 * token, and a clear error when the database cannot be reached.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresLeaseStore } from "../../src/accounts/lease-postgres.js";
import type { LeaseStore } from "../../src/accounts/lease-store.js";
import { createDatabase } from "../helpers/postgres.js";

let url: string;
const open: LeaseStore[] = [];
const store = async (ttlMs = 10_000, account = "paper") => {
  const s = await postgresLeaseStore({ url, display: "lease db", project: "argo", account, ttlMs });
  open.push(s);
  return s;
};
beforeAll(async () => {
  url = await createDatabase("lease");
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

describe("PostgreSQL executor lease", () => {
  it("one of many concurrent acquirers wins; the others are refused while it holds the lease", async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => store(10_000, "race")));
    const results = await Promise.allSettled(stores.map((s, i) => s.acquire(`r${i}`)));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason.code).toBe("TRO_ERR_LOCK_HELD");
  });

  it("tokens only grow through acquire, claim, transfer and release; stale tokens cannot renew or release", async () => {
    const s = await store();
    const a = await s.acquire("r1");
    expect(await s.isCurrent("r1", a)).toBe(true);
    const fenced = await s.transfer("(handoff)");
    expect(fenced).toBe(a + 1);
    expect(await s.renew("r1", a)).toBe(false);
    await s.release("r1", a);
    expect((await s.read()).holder).toBe("(handoff)");
    const handed = await s.transfer("r2");
    const claimed = await s.claim("r2");
    expect(claimed).toBe(handed + 1);
    expect(await s.claim("r3")).toBeUndefined();
    expect(await s.isCurrent("r2", handed)).toBe(false);
    expect(await s.renew("r2", claimed!)).toBe(true);
    await s.release("r2", claimed!);
    const after = await s.read();
    expect(after.holder).toBeUndefined();
    expect(after.token).toBe(claimed! + 1);
  });

  it("lapses by the database's clock: a holder that stops renewing loses it to the next acquirer", async () => {
    const s = await store(300, "lapse");
    const t = await s.acquire("r1");
    await expect(s.acquire("r2")).rejects.toMatchObject({ code: "TRO_ERR_LOCK_HELD" });
    const deadline = Date.now() + 5_000;
    while ((await s.read()).holder !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await s.isCurrent("r1", t)).toBe(false);
    expect(await s.acquire("r2")).toBe(t + 1);
  });

  it("says the lease cannot be reached, without the password", async () => {
    const bad = postgresLeaseStore({
      url: "postgres://u:sekret@127.0.0.1:1/db",
      display: "postgres://u@127.0.0.1:1/db",
      project: "argo",
      account: "paper",
    });
    await expect(bad).rejects.toMatchObject({ code: "TRO_ERR_LEASE_UNAVAILABLE" });
    await expect(bad).rejects.not.toThrow(/sekret/);
  });
});
