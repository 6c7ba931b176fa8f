import { EventEmitter } from "node:events";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isTroError } from "../../src/errors.js";
import { injectedCheck } from "../../src/health/deep/checks.js";
import type { Level2Report, Level3Report } from "../../src/health/reports.js";
import type { ServiceHost } from "../../src/server/host.js";
import { deskHost } from "./helpers.js";

const hosts: ServiceHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.shutdown("test over")));
});

function track<T extends { host: ServiceHost }>(d: T): T {
  hosts.push(d.host);
  return d;
}

/** A promise and the function that settles it: drain hooks wait on these instead of on time. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("service host over real HTTP", () => {
  it("binds 127.0.0.1 by default and answers real requests", async () => {
    const d = track(deskHost());
    const { url, host, port } = await d.host.start();
    d.allGood();
    expect(host).toBe("127.0.0.1");
    expect((d.host.app.server.address() as { address: string }).address).toBe("127.0.0.1");
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(((await res.json()) as { service: string }).service).toBe("argo");
    const detailed = await fetch(`${url}/health/detailed`);
    expect(detailed.status).toBe(200);
    expect(d.host.state).toBe("ready");
    expect(d.host.acceptingWork).toBe(true);
  });

  it("while components start: liveness answers, readiness fails; both follow the real start", async () => {
    const brokerUp = gate();
    let listening!: () => void;
    const inInit = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const d = track(deskHost({ port: 0 }));
    d.registry.register({
      name: "broker_session",
      init: async () => {
        listening();
        await brokerUp.opened;
      },
    });
    const started = d.host.start();
    await inInit;
    const port = (d.host.app.server.address() as { port: number }).port;
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(readyz.status).toBe(503);
    const body = (await readyz.json()) as Level2Report;
    expect(body.components.broker_session!.error_code).toBe("NOT_INITIALIZED");
    expect(d.host.acceptingWork).toBe(false);
    brokerUp.open();
    await started;
    d.allGood();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });

  it("fails fast when a component cannot start: the error says which, nothing keeps listening", async () => {
    const d = track(deskHost());
    d.registry.register({
      name: "signal_store_init",
      init: () => {
        throw Object.assign(new Error("could not open /srv/argo/signals.db: secret-path"), { code: "EACCES" });
      },
    });
    const error = await d.host.start().catch((e: unknown) => e);
    expect(isTroError(error) && error.code).toBe("TRO_ERR_SERVICE_START");
    expect((error as Error).message).toBe('component "signal_store_init" failed to start (EACCES)');
    expect(d.host.state).toBe("stopped");
    expect(d.host.app.server.listening).toBe(false);
  });

  it("refuses a port in use with a sentence and a hint", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const d = track(deskHost({ port }));
      const error = (await d.host.start().catch((e: unknown) => e)) as Error & { hint?: string };
      expect(isTroError(error) && error.code).toBe("TRO_ERR_SERVICE_START");
      // the holder is named: here, this very test process
      expect(error.message).toContain(
        `service argo cannot listen on 127.0.0.1:${port} (EADDRINUSE: pid ${process.pid} holds it, `,
      );
      expect(error.hint).toBe(`Stop pid ${process.pid}, or run on another port with --port N (0: any free port).`);
      expect(d.host.state).toBe("stopped");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("levels 1 and 2 answer at once while a level-3 round hangs on a dependency", async () => {
    let release!: () => void;
    const hanging = new Promise<boolean>((resolve) => {
      release = () => resolve(true);
    });
    const d = track(deskHost({ deepChecks: [injectedCheck("database", () => hanging, { timeoutMs: 10_000 })] }));
    const { url } = await d.host.start();
    d.allGood();
    const deep = fetch(`${url}/health/deep`);
    const started = performance.now();
    const [l1, l2] = await Promise.all([fetch(`${url}/health`), fetch(`${url}/readyz`)]);
    expect(performance.now() - started).toBeLessThan(500);
    expect([l1.status, l2.status]).toEqual([200, 200]);
    release();
    expect((await deep).status).toBe(200);
  });

  it("answers level 3 to local callers, and to proxied or remote ones only with the token", async () => {
    const d = track(
      deskHost({
        controlToken: "deep-token-123",
        deepChecks: [injectedCheck("broker", () => ({ ok: false, code: "ACCOUNT_MISMATCH" }), { critical: false })],
      }),
    );
    const { url } = await d.host.start();
    d.allGood();
    const local = await fetch(`${url}/health/deep`);
    expect(local.status).toBe(200);
    const body = (await local.json()) as Level3Report;
    expect(body.status).toBe("degraded");
    expect(body.level).toBe(3);
    expect(body.checks.broker).toMatchObject({ status: "unhealthy", error_code: "ACCOUNT_MISMATCH", critical: false });
    expect(body.checks.event_loop!.status).toBe("healthy");
    expect(body.summary).toMatchObject({
      total_components: 5,
      total_checks: 3,
      healthy_checks: 2,
      unhealthy_checks: 1,
    });
    const proxied = await fetch(`${url}/health/deep`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(proxied.status).toBe(401);
    const withToken = await fetch(`${url}/health/deep`, {
      headers: { "x-forwarded-for": "203.0.113.9", authorization: "Bearer deep-token-123" },
    });
    expect(withToken.status).toBe(200);
  });
});

describe("graceful shutdown", () => {
  it("on SIGTERM: readiness fails at once, liveness answers until the end, drain hooks run in order", async () => {
    const signals = new EventEmitter();
    const steps: string[] = [];
    const ordersDone = gate();
    const d = track(
      deskHost({
        controls: { halt() {}, resume() {} },
        controlToken: "t0k3n-for-tests",
        drainHooks: [
          { name: "stop_new_orders", run: () => void steps.push("stop_new_orders") },
          {
            name: "finish_or_cancel_orders",
            run: async () => {
              steps.push("orders:start");
              await ordersDone.opened;
              steps.push("orders:done");
            },
          },
          { name: "flush_signal_log", run: () => void steps.push("flush") },
        ],
      }),
    );
    const { url } = await d.host.start();
    d.allGood();
    d.host.handleSignals({ target: signals });
    signals.emit("SIGTERM", "SIGTERM");
    expect(d.host.state).toBe("draining");
    expect(d.host.acceptingWork).toBe(false);
    // while orders are still finishing:
    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as Level2Report).components.service).toEqual({
      status: "unhealthy",
      error_code: "SHUTTING_DOWN",
      readiness_checks: { initialized: true, accepting_work: false },
    });
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const resume = await fetch(`${url}/control/resume`, {
      method: "POST",
      headers: { authorization: "Bearer t0k3n-for-tests" },
    });
    expect(resume.status).toBe(409);
    signals.emit("SIGTERM", "SIGTERM"); // a second signal does not start a second drain
    expect(steps).toEqual(["stop_new_orders", "orders:start"]);
    ordersDone.open();
    const report = await d.host.closed;
    expect(steps).toEqual(["stop_new_orders", "orders:start", "orders:done", "flush"]);
    expect(report).toEqual({
      reason: "SIGTERM",
      forced: false,
      steps: [
        { name: "stop_new_orders", ok: true, code: null },
        { name: "finish_or_cancel_orders", ok: true, code: null },
        { name: "flush_signal_log", ok: true, code: null },
      ],
    });
    expect(d.host.state).toBe("stopped");
    await expect(fetch(`${url}/livez`)).rejects.toThrow();
    expect(signals.listenerCount("SIGTERM")).toBe(0);
  });

  it("a hanging or failing hook is cut off by its deadline and the next hook still runs", async () => {
    const flushed: string[] = [];
    const d = track(
      deskHost({
        drainHooks: [
          { name: "cancel_orders", timeoutMs: 100, run: () => new Promise<void>(() => {}) },
          { name: "broken", run: () => Promise.reject(Object.assign(new Error("x"), { code: "EPIPE" })) },
          { name: "flush_signal_log", run: () => void flushed.push("flush") },
        ],
      }),
    );
    await d.host.start();
    const started = performance.now();
    const report = await d.host.shutdown("SIGTERM");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(report.steps).toEqual([
      { name: "cancel_orders", ok: false, code: "TIMEOUT" },
      { name: "broken", ok: false, code: "EPIPE" },
      { name: "flush_signal_log", ok: true, code: null },
    ]);
    expect(flushed).toEqual(["flush"]);
  });

  it("closes HTTP when the whole drain runs out of time", async () => {
    const d = track(
      deskHost({
        shutdownTimeoutMs: 150,
        drainHooks: [{ name: "stuck", timeoutMs: 60_000, run: () => new Promise<void>(() => {}) }],
      }),
    );
    await d.host.start();
    const report = await d.host.shutdown("SIGTERM");
    expect(report.forced).toBe(true);
    expect(d.host.app.server.listening).toBe(false);
  });
});
