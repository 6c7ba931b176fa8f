/**
 * The file lease of an SSH host as the deploy drives it (src/deploy/lease-host.ts), run here through the local
 * executor: each change it makes is the change src/accounts/lease.ts reads back (same file, same format, tokens
 * only grow), it waits on the same lock directory, and it breaks a lock left over from a crash.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LEASE_LOCK_STALE_MS, openLease } from "../../src/accounts/lease.js";
import { hostFileLeaseDriver } from "../../src/deploy/lease-host.js";
import { openLeaseDriver } from "../../src/deploy/lease-open.js";
import type { SessionOptions } from "../../src/deploy/session.js";
import { TroError } from "../../src/errors.js";
import { createLocalExecutor } from "../../src/exec/local.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "lease-host-"));
  dirs.push(dir);
  const driver = hostFileLeaseDriver({
    executor: createLocalExecutor(),
    dir,
    project: "scalper",
    account: "alpaca:paper:PA 1",
  });
  const lease = openLease({ dir, project: "scalper", account: "alpaca:paper:PA 1" });
  return { dir, driver, lease };
}

describe("the file lease on a host, driven by the deploy", () => {
  it("fences and hands over the lease file the releases on the host read", async () => {
    const { driver, lease } = setup();
    expect(await driver.holder()).toBeUndefined();
    expect(await driver.transfer("r1")).toBe(1);
    expect(lease.read()).toMatchObject({ holder: "r1", token: 1 });
    // the release's process claims what it was handed: a newer token, which the driver sees
    expect(lease.claim("r1")).toBe(2);
    expect(await driver.holder()).toBe("r1");
    expect(await driver.holds("r1")).toBe(true);
    expect(await driver.holds("r2")).toBe(false);
    expect(await driver.fence()).toBe(3);
    expect(lease.isCurrent("r1", 2)).toBe(false);
    expect(await driver.holder()).toBeUndefined();
    expect(await driver.transfer("r2")).toBe(4);
    expect(lease.claim("r2")).toBe(5);
  });

  it("does not count a lapsed lease as held", async () => {
    const { driver, lease } = setup();
    writeFileSync(
      lease.path,
      JSON.stringify({ token: 7, holder: "r1", renewedAt: Date.now() - 60_000, ttlMs: 30_000 }),
    );
    expect(await driver.holder()).toBe("r1");
    expect(await driver.holds("r1")).toBe(false);
  });

  it("waits for a change in progress, and breaks a lock left behind by a crash", async () => {
    const { driver, lease } = setup();
    const lock = `${lease.path}.lock`;
    mkdirSync(lock);
    const pending = driver.transfer("r1");
    await new Promise((r) => setTimeout(r, 300));
    expect(lease.read().token).toBe(0);
    rmSync(lock, { recursive: true });
    expect(await pending).toBe(1);
    mkdirSync(lock);
    const old = (Date.now() - LEASE_LOCK_STALE_MS * 2) / 1000;
    utimesSync(lock, old, old);
    expect(await driver.fence()).toBe(2);
  });

  it("refuses a file lease on a target of many hosts, and a PostgreSQL lease without a PostgreSQL store", () => {
    const options = (lease: "file" | "postgres", hosts: string[]) =>
      ({
        project: { name: "fyers-bot" },
        target: { environment: "production", hosts, lease },
        host: hosts[0],
        executor: createLocalExecutor(),
      }) as unknown as SessionOptions;
    const refused = (o: SessionOptions) => {
      try {
        openLeaseDriver(o, "/srv/fyers/shared/lease", "default");
      } catch (error) {
        return error as TroError;
      }
      throw new Error("not refused");
    };
    const many = refused(options("file", ["deploy@fyers-a", "deploy@fyers-b"]));
    expect(many).toBeInstanceOf(TroError);
    expect(many.code).toBe("TRO_ERR_MANIFEST_INVALID");
    expect(many.message).toContain("targets.production.fyers-bot sends orders from 2 hosts");
    expect(many.hint).toContain("lease: postgres");
    expect(refused(options("postgres", ["deploy@fyers-a"])).message).toContain("signal store is not PostgreSQL");
  });
});
