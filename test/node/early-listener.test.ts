/** The listener a node binds before anything heavy loads: real sockets on 127.0.0.1, port 0. */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { bindEarly, type EarlyListener, handEarly, takeEarly } from "../../src/node/early-listener.js";

const open: EarlyListener[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

async function bind(paths?: { level1?: string; level2?: string }) {
  const l = await bindEarly({ service: "argo", executionMode: "paper", host: "127.0.0.1", port: 0, paths });
  open.push(l);
  return l;
}

async function get(port: number, path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe("early listener", () => {
  it("answers level 1 alive, level 2 503 STARTING, anything else 503, all no-store", async () => {
    const l = await bind({ level1: "/alive", level2: "/ready-now" });
    for (const path of ["/health", "/livez", "/alive"]) {
      const r = await get(l.port, path);
      expect(r.status, path).toBe(200);
      expect(r.body).toMatchObject({ status: "healthy", service: "argo", execution_mode: "paper", uptime_seconds: 0 });
      expect(r.headers.get("cache-control")).toBe("no-store");
    }
    for (const path of ["/readyz", "/health/detailed", "/ready-now"]) {
      const r = await get(l.port, path);
      expect(r.status, path).toBe(503);
      expect(r.body).toMatchObject({
        status: "unhealthy",
        components: { service: { status: "unhealthy", error_code: "STARTING" } },
        summary: { total_components: 1, healthy_components: 0, unhealthy_components: 1 },
      });
    }
    const other = await get(l.port, "/portfolio");
    expect(other.status).toBe(503);
    expect(other.headers.get("retry-after")).toBe("1");
    expect(other.body).toEqual({
      ok: false,
      error: { code: "TRO_ERR_SERVICE_START", message: "the service is starting" },
    });
  });

  it("hands every request to the attached handler on the same port", async () => {
    const l = await bind();
    l.attach((_req, res) => res.end(JSON.stringify({ from: "host" })));
    expect((await get(l.port, "/health")).body).toEqual({ from: "host" });
  });

  it("fails to bind a port another process holds, with the listen error", async () => {
    const holder = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => holder.once("listening", r));
    const port = (holder.address() as { port: number }).port;
    try {
      await expect(
        bindEarly({ service: "argo", executionMode: "paper", host: "127.0.0.1", port }),
      ).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
    } finally {
      holder.close();
    }
  });

  it("is taken over once, for the same port or any port; another port closes it", async () => {
    const a = await bind();
    handEarly(a);
    expect(await takeEarly("127.0.0.1", a.port)).toBe(a);
    expect(await takeEarly("127.0.0.1", a.port)).toBeUndefined();
    const b = await bind();
    handEarly(b);
    expect(await takeEarly("127.0.0.1", 0)).toBe(b);
    const c = await bind();
    handEarly(c);
    expect(await takeEarly("127.0.0.1", c.port + 1)).toBeUndefined();
    expect(c.server.listening).toBe(false);
  });
});
