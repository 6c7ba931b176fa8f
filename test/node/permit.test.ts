/**
 * The order permit over a real file lease: shadow with orders off, a handed-over lease claimed with a new token,
 * a free lease taken with orders on, a newer token fencing the holder at once, a store away past expiry stopping
 * the sends, and the lease given up on stop. Time is injected; nothing sleeps.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fileLeaseStore, type LeaseStore } from "../../src/accounts/lease-store.js";
import { createOrderPermit, type PermitEvent } from "../../src/node/permit.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(ttlMs = 3_000) {
  const dir = mkdtempSync(join(tmpdir(), "permit-"));
  dirs.push(dir);
  let wall = 1_000_000;
  let mono = 0;
  const store = fileLeaseStore({ dir, project: "argo", account: "paper", ttlMs, now: () => wall });
  let down = false;
  const flaky: LeaseStore = new Proxy(store, {
    get(target, key) {
      const value = target[key as keyof LeaseStore];
      if (typeof value !== "function" || key === "close") return value;
      return (...args: unknown[]) =>
        down ? Promise.reject(new Error("store unreachable")) : (value as (...a: unknown[]) => unknown)(...args);
    },
  });
  const events: PermitEvent[] = [];
  const make = (holder: string, orders: boolean, release?: string) =>
    createOrderPermit({
      holder,
      orders,
      ...(release ? { release } : {}),
      lease: flaky,
      ttlMs,
      skewMs: 500,
      pollMs: 0,
      now: () => mono,
      onChange: (e) => events.push(e),
    });
  return {
    store,
    events,
    make,
    advance(ms: number) {
      wall += ms;
      mono += ms;
    },
    setDown(value: boolean) {
      down = value;
    },
  };
}

/** one look at the lease, as the timer would do it */
const look = (permit: { start(): Promise<void> }) => permit.start();

describe("order permit", () => {
  it("orders off without a lease is shadow for good: every decision refused as shadow", async () => {
    const permit = createOrderPermit({ holder: "r1", orders: false, ttlMs: 1000 });
    await permit.start();
    expect(permit.state).toBe("shadow");
    expect(permit.decide()).toMatchObject({
      ok: false,
      rule: "shadow",
      reason: expect.stringContaining("TRADEOPS_ORDERS=off"),
    });
  });

  it("waits in shadow until a deploy hands the lease to its release, then claims it with a new token", async () => {
    const t = setup();
    const permit = t.make("r2", false);
    await look(permit);
    expect(permit.state).toBe("waiting");
    expect(permit.decide()).toMatchObject({ ok: false, rule: "shadow" });
    const handed = await t.store.transfer("r2");
    await look(permit);
    expect(permit.state).toBe("holding");
    expect(permit.token).toBe(handed + 1);
    expect(await permit.beforeSend()).toEqual({ ok: true, token: handed + 1 });
  });

  it("with orders on takes a free lease, and a newer token fences it at the next send", async () => {
    const t = setup();
    const permit = t.make("r1", true);
    await look(permit);
    expect(permit.state).toBe("holding");
    await t.store.transfer("(handoff)");
    // the cached decision still says yes; the send-time check asks the store and refuses
    expect(permit.decide().ok).toBe(true);
    expect(await permit.beforeSend()).toMatchObject({ ok: false, rule: "lease" });
    expect(permit.state).toBe("fenced");
    expect(permit.decide()).toMatchObject({ ok: false, rule: "lease", reason: expect.stringContaining("lease lost") });
    expect(t.events.map((e) => e.to)).toEqual(["holding", "fenced"]);
  });

  it("does not take a lease another release holds", async () => {
    const t = setup();
    await t.store.acquire("r0");
    const permit = t.make("r1", true);
    await look(permit);
    expect(permit.state).toBe("waiting");
  });

  it("stops sending when the store stays unreachable until the lease would lapse, and says why", async () => {
    const t = setup(3_000);
    const permit = t.make("r1", true);
    await look(permit);
    t.setDown(true);
    t.advance(1_000);
    expect(await permit.beforeSend()).toMatchObject({ ok: false, rule: "lease" });
    // still inside its lease: not lost yet, only this send refused for want of a confirmed token
    expect(permit.state).toBe("holding");
    t.advance(1_600);
    expect(permit.decide()).toMatchObject({ ok: false, rule: "lease" });
    expect(permit.state).toBe("expired");
    expect(permit.reason).toContain("lease lost");
    // the store is back and the lease lapsed: with orders on it takes the lease again, with a newer token
    t.setDown(false);
    t.advance(1_000);
    const before = permit.token;
    await look(permit);
    expect(permit.state).toBe("holding");
    expect(permit.token).toBeGreaterThan(before);
  });

  it("gives the lease up on stop, so the next release need not wait for it to lapse", async () => {
    const t = setup();
    const permit = t.make("r1", true);
    await look(permit);
    await permit.stop();
    expect(permit.state).toBe("released");
    expect((await t.store.read()).holder).toBeUndefined();
    expect(permit.decide().ok).toBe(false);
  });

  it("across hosts: a release's other process stands by, takes the lapsed lease, and fences the frozen holder", async () => {
    const t = setup(3_000);
    const a = t.make("r2@host-a", false, "r2");
    const b = t.make("r2@host-b", false, "r2");
    await Promise.all([look(a), look(b)]);
    await t.store.transfer("r2@host-a");
    await Promise.all([look(a), look(b)]);
    expect(a.state).toBe("holding");
    // the lease names its sibling: b neither claims nor takes it, and sends nothing
    expect(b.state).toBe("waiting");
    expect(b.decide()).toMatchObject({ ok: false, rule: "shadow" });
    // a freezes (no more looks) past the lease's expiry: b takes the lapsed lease with a newer token
    t.advance(3_500);
    await look(b);
    expect(b.state).toBe("holding");
    expect(b.token).toBeGreaterThan(a.token);
    expect(b.reason).toContain("taken over");
    // a thaws: its own deadline passed, and the store says its token is old
    expect(await a.beforeSend()).toMatchObject({ ok: false, rule: "lease" });
    await look(a);
    expect(a.state).not.toBe("holding");
  });

  it("across hosts: a standby that saw another release hold the lease never takes it, even lapsed", async () => {
    const t = setup(3_000);
    const old = t.make("r1@host-b", false, "r1");
    await t.store.transfer("r1@host-a");
    await look(old);
    // a deploy hands the lease to the next release
    await t.store.transfer("(handoff)");
    await t.store.transfer("r2@host-a");
    await look(old);
    t.advance(3_500);
    await look(old);
    expect(old.state).toBe("waiting");
    expect((await t.store.read()).holder).toBeUndefined();
  });
});
