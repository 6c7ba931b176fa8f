import { afterEach, describe, expect, it } from "vitest";
import { BROKER_MAX_AGE_MS, type Desk, deskHost, FEED_BUDGET_MS } from "./helpers.js";

let desk: Desk | undefined;
afterEach(async () => {
  await desk?.host.shutdown("test over");
  desk = undefined;
});

async function ready(options: Parameters<typeof deskHost>[0] = {}): Promise<Desk> {
  desk = deskHost(options);
  await desk.host.start();
  desk.allGood();
  return desk;
}

const get = (d: Desk, url: string, accept?: string) =>
  d.host.app.inject({ method: "GET", url, headers: accept ? { accept } : {} });

describe("level 1: /health and /livez", () => {
  it("answers exactly the seeds' shape, from memory, with no-store", async () => {
    const d = await ready();
    d.clock.advance(3_600_000);
    for (const url of ["/health", "/livez"]) {
      const res = await get(d, url);
      expect(res.statusCode).toBe(200);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.json()).toEqual({
        status: "healthy",
        timestamp: new Date(d.clock.now()).toISOString(),
        service: "argo",
        execution_mode: "paper",
        uptime_seconds: 3600,
        system: { cpu_percent: 25, memory_percent: 46.9, memory_available_gb: 8.5 },
      });
    }
  });

  it("stays healthy while a dependency is down (liveness never looks outside the process)", async () => {
    const d = await ready();
    d.registry.report("broker", { status: "unhealthy", errorCode: "DISCONNECTED" });
    d.clock.advance(FEED_BUDGET_MS * 10);
    expect((await get(d, "/health")).statusCode).toBe(200);
    expect((await get(d, "/readyz")).statusCode).toBe(503);
  });

  it("fails (503) when the main loop stalls", async () => {
    const d = await ready();
    d.host.liveness.armHeartbeat(1000);
    d.clock.advance(61_000);
    const res = await get(d, "/livez");
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe("unhealthy");
  });

  it("speaks health+json when asked", async () => {
    const d = await ready();
    const res = await get(d, "/health", "application/health+json");
    expect(res.headers["content-type"]).toMatch(/^application\/health\+json/);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json();
    expect(body).toMatchObject({ status: "pass", level: 1, serviceId: "argo" });
    expect(body.checks.uptime[0]).toMatchObject({ componentType: "system", observedUnit: "s", status: "pass" });
    expect(body.output).toBeUndefined();
  });
});

describe("level 2: /health/detailed and /readyz", () => {
  it("answers exactly the seeds' shape", async () => {
    const d = await ready();
    const res = await get(d, "/health/detailed");
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual([
      "components",
      "execution_mode",
      "service",
      "status",
      "summary",
      "timestamp",
    ]);
    expect(body.components.broker).toEqual({
      status: "healthy",
      error_code: null,
      readiness_checks: { initialized: true, connected: true, fresh: true },
    });
    for (const c of Object.values(body.components) as object[]) {
      expect(Object.keys(c).sort()).toEqual(["error_code", "readiness_checks", "status"]);
    }
    expect(body.summary).toEqual({ total_components: 5, healthy_components: 5, unhealthy_components: 0 });
    expect((await get(d, "/readyz")).json()).toEqual(body);
  });

  it("every transition has the right status, HTTP code and counts", async () => {
    const d = await ready();
    const l2 = async () => {
      const res = await get(d, "/readyz");
      const json = (await get(d, "/readyz", "application/health+json")).json();
      return { http: res.statusCode, status: res.json().status, summary: res.json().summary, ietf: json.status };
    };
    const counts = (healthy: number, unhealthy: number) => ({
      total_components: 5,
      healthy_components: healthy,
      unhealthy_components: unhealthy,
    });
    expect(await l2()).toEqual({ http: 200, status: "healthy", summary: counts(5, 0), ietf: "pass" });

    // a critical component failing → unhealthy, 503
    d.registry.report("broker", { status: "unhealthy", errorCode: "DISCONNECTED", checks: { connected: false } });
    expect(await l2()).toEqual({ http: 503, status: "unhealthy", summary: counts(4, 1), ietf: "fail" });
    d.allGood();
    expect((await l2()).http).toBe(200);

    // a sample going stale (its monitor stopped) → unhealthy, 503
    d.clock.advance(BROKER_MAX_AGE_MS + 1);
    d.tracker.record("AAPL:1Min");
    d.registry.report("signal_store", { status: "healthy" });
    expect(await l2()).toEqual({ http: 503, status: "unhealthy", summary: counts(4, 1), ietf: "fail" });
    expect((await get(d, "/readyz")).json().components.broker).toMatchObject({ error_code: "STALE" });
    d.allGood();

    // a non-critical component failing → degraded, 200
    d.registry.report("signal_store", { status: "unhealthy", errorCode: "NOT_WRITABLE" });
    expect(await l2()).toEqual({ http: 200, status: "degraded", summary: counts(4, 1), ietf: "warn" });
    d.allGood();

    // halted → degraded, 200; the halted component is neither healthy nor unhealthy
    d.trading.state = "halted";
    d.trading.reasonCode = "KILL_SWITCH";
    expect(await l2()).toEqual({ http: 200, status: "degraded", summary: counts(4, 0), ietf: "warn" });
    expect((await get(d, "/readyz")).json().components.risk).toEqual({
      status: "degraded",
      error_code: "KILL_SWITCH",
      readiness_checks: { initialized: true, trading_open: false },
    });
    d.trading.state = "active";
    expect(await l2()).toEqual({ http: 200, status: "healthy", summary: counts(5, 0), ietf: "pass" });
  });

  it("a feed that stays connected but stops delivering turns level 2 unhealthy within the budget", async () => {
    const d = await ready();
    // the broker session and store keep being refreshed by their monitors throughout
    const refresh = () => {
      d.registry.report("broker", { status: "healthy", checks: { connected: true } });
      d.registry.report("signal_store", { status: "healthy" });
    };
    d.clock.advance(FEED_BUDGET_MS);
    refresh();
    const atBudget = await get(d, "/health/detailed");
    expect(atBudget.statusCode).toBe(200);
    d.clock.advance(1);
    refresh();
    const past = await get(d, "/health/detailed");
    expect(past.statusCode).toBe(503);
    expect(past.json().components.data_feed).toEqual({
      status: "unhealthy",
      error_code: "STALE_DATA",
      readiness_checks: { initialized: true, connected: true, "fresh:AAPL:1Min": false },
    });
  });

  it("reports in health+json with critical flags and codes as output", async () => {
    const d = await ready();
    d.registry.report("signal_store", { status: "unhealthy", errorCode: "NOT_WRITABLE" });
    const body = (await get(d, "/health/detailed", "application/health+json")).json();
    expect(body.status).toBe("warn");
    expect(body.output).toBe("signal_store:status");
    expect(body.checks["signal_store:status"]).toEqual([
      {
        componentId: "signal_store",
        componentType: "component",
        status: "fail",
        critical: false,
        time: new Date(d.clock.now()).toISOString(),
        output: "NOT_WRITABLE",
      },
    ]);
  });

  it("serves the manifest's own paths as well", async () => {
    const d = await ready({ paths: { level1: "/status", level2: "/status/full" } });
    expect((await get(d, "/status")).json().service).toBe("argo");
    expect((await get(d, "/status/full")).json().summary.total_components).toBe(5);
  });
});
