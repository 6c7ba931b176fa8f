import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createMonitor } from "../../src/health/monitor.js";
import { createHealthRegistry } from "../../src/health/registry.js";

async function brokerRegistry() {
  const registry = createHealthRegistry();
  registry.register({ name: "broker", maxAgeMs: 60_000 });
  await registry.initAll();
  return registry;
}

describe("background monitors", () => {
  it("push what the probe sees; a hanging probe becomes TIMEOUT, a throw keeps only its code", async () => {
    const registry = await brokerRegistry();
    let probe: () => Promise<never> | { status: "healthy" } = () => ({ status: "healthy" });
    const monitor = createMonitor({
      registry,
      component: "broker",
      intervalMs: 1000,
      timeoutMs: 100,
      probe: () => probe(),
    });
    await monitor.runOnce();
    expect(registry.evaluate()[0]!.status).toBe("healthy");
    probe = () => new Promise<never>(() => {});
    await monitor.runOnce();
    expect(registry.evaluate()[0]).toMatchObject({ status: "unhealthy", error_code: "TIMEOUT" });
    probe = () =>
      Promise.reject(Object.assign(new Error("ws closed by wss://stream.example:443"), { code: "ECONNRESET" }));
    await monitor.runOnce();
    expect(registry.evaluate()[0]).toMatchObject({ status: "unhealthy", error_code: "ECONNRESET" });
  });

  it("runs on its interval after start and stops running after stop", async () => {
    const registry = await brokerRegistry();
    let calls = 0;
    let reached!: () => void;
    const threeCalls = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const monitor = createMonitor({
      registry,
      component: "broker",
      intervalMs: 10,
      probe: () => {
        if (++calls === 3) reached();
        return { status: "healthy" };
      },
    });
    monitor.start();
    await threeCalls;
    monitor.stop();
    const after = calls;
    await delay(100); // nothing to await: this checks that no further run happens
    expect(calls).toBe(after);
  });
});
