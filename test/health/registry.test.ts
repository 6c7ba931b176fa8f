import { describe, expect, it } from "vitest";
import { isTroError } from "../../src/errors.js";
import { createHealthRegistry } from "../../src/health/registry.js";
import { manualClock } from "./clock.js";

describe("component registry", () => {
  it("starts components in dependency order", async () => {
    const started: string[] = [];
    const registry = createHealthRegistry();
    const init = (name: string) => () => {
      started.push(name);
    };
    registry.register({ name: "strategy", dependsOn: ["data_feed", "broker"], init: init("strategy") });
    registry.register({ name: "broker", dependsOn: ["secrets"], init: init("broker") });
    registry.register({ name: "data_feed", init: init("data_feed") });
    registry.register({ name: "secrets", init: init("secrets") });
    await registry.initAll();
    expect(started.indexOf("secrets")).toBeLessThan(started.indexOf("broker"));
    expect(started.indexOf("broker")).toBeLessThan(started.indexOf("strategy"));
    expect(started.indexOf("data_feed")).toBeLessThan(started.indexOf("strategy"));
    expect(started).toHaveLength(4);
  });

  it("fails fast: the first failure stops start-up, nothing after it starts, no exception text is kept", async () => {
    const started: string[] = [];
    const registry = createHealthRegistry();
    registry.register({
      name: "broker",
      init: () => {
        const error = new Error("connect ECONNREFUSED paper-api.alpaca.markets:443 key=PKSECRET123") as Error & {
          code: string;
        };
        error.code = "ECONNREFUSED";
        throw error;
      },
    });
    registry.register({ name: "strategy", dependsOn: ["broker"], init: () => void started.push("strategy") });
    const error = await registry.initAll().catch((e: unknown) => e);
    expect(isTroError(error) && error.code).toBe("TRO_ERR_SERVICE_START");
    expect((error as Error).message).toBe('component "broker" failed to start (ECONNREFUSED)');
    expect(started).toEqual([]);
    const reports = registry.evaluate();
    expect(reports.map((r) => [r.name, r.status, r.error_code])).toEqual([
      ["broker", "unhealthy", "ECONNREFUSED"],
      ["strategy", "unhealthy", "NOT_INITIALIZED"],
    ]);
    expect(JSON.stringify(reports)).not.toMatch(/alpaca|PKSECRET|443/);
    // starting again does not pretend the failed component recovered
    await expect(registry.initAll()).rejects.toThrow('component "broker" failed to start');
  });

  it("bounds each component's start-up by its own timeout", async () => {
    const registry = createHealthRegistry();
    registry.register({ name: "hangs", initTimeoutMs: 50, init: () => new Promise<void>(() => {}) });
    const started = performance.now();
    await expect(registry.initAll()).rejects.toThrow('component "hangs" failed to start (INIT_TIMEOUT)');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses duplicate and malformed names, and malformed readiness checks", () => {
    const registry = createHealthRegistry();
    registry.register({ name: "broker" });
    expect(() => registry.register({ name: "broker" })).toThrow('component "broker" is registered twice');
    expect(() => registry.register({ name: "db at db.internal" })).toThrow("is not a valid name");
    expect(() => registry.report("broker", { status: "healthy", checks: { "connected to host x": true } })).toThrow(
      "malformed readiness check",
    );
    expect(() => registry.report("nope", { status: "healthy" })).toThrow('component "nope" is not registered');
  });

  it("a component that only starts is ready once started; one never reported is not", async () => {
    const registry = createHealthRegistry();
    registry.register({ name: "position_monitor" });
    registry.register({ name: "broker", maxAgeMs: 10_000 });
    expect(registry.evaluate().map((r) => r.error_code)).toEqual(["NOT_INITIALIZED", "NOT_INITIALIZED"]);
    await registry.initAll();
    expect(registry.evaluate()[0]).toMatchObject({
      status: "healthy",
      error_code: null,
      readiness_checks: { initialized: true },
    });
    expect(registry.evaluate()[1]).toMatchObject({ status: "unhealthy", error_code: "NOT_SAMPLED" });
  });

  it("counts a missing sample, and a sample older than its max age, as failing", async () => {
    const clock = manualClock();
    const registry = createHealthRegistry({ clock });
    registry.register({ name: "broker", maxAgeMs: 10_000 });
    await registry.initAll();
    expect(registry.evaluate()[0]).toMatchObject({ status: "unhealthy", error_code: "NOT_SAMPLED" });
    registry.report("broker", { status: "healthy", checks: { connected: true } });
    expect(registry.evaluate()[0]).toMatchObject({
      status: "healthy",
      error_code: null,
      readiness_checks: { initialized: true, connected: true, fresh: true },
    });
    clock.advance(10_000);
    expect(registry.evaluate()[0]!.status).toBe("healthy");
    clock.advance(1);
    expect(registry.evaluate()[0]).toMatchObject({
      status: "unhealthy",
      error_code: "STALE",
      readiness_checks: { initialized: true, connected: true, fresh: false },
    });
  });

  it("keeps only code-shaped error codes", async () => {
    const registry = createHealthRegistry();
    registry.register({ name: "db" });
    await registry.initAll();
    registry.report("db", { status: "unhealthy", errorCode: "password authentication failed for user admin" });
    expect(registry.evaluate()[0]!.error_code).toBe("ERROR");
    registry.report("db", { status: "unhealthy" });
    expect(registry.evaluate()[0]!.error_code).toBe("UNHEALTHY");
    registry.report("db", { status: "unhealthy", errorCode: "DB_UNREACHABLE" });
    expect(registry.evaluate()[0]!.error_code).toBe("DB_UNREACHABLE");
  });

  it("treats a reader that returns a promise or throws as failing, so level 2 never awaits", async () => {
    const registry = createHealthRegistry();
    registry.register({ name: "async_reader", read: (() => Promise.resolve({ status: "healthy" })) as never });
    registry.register({
      name: "throwing_reader",
      read: () => {
        throw new Error("ENOENT /srv/secret/path");
      },
    });
    await registry.initAll();
    expect(registry.evaluate().map((r) => r.error_code)).toEqual(["READ_NOT_SYNC", "READ_FAILED"]);
  });
});
