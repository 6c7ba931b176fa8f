/** The HTTP probe against real servers: healthy, degraded, unhealthy, absent, hung, nothing listening. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPassing, probeHttp } from "../../src/supervisor/health-probe.js";
import { freePort } from "./helpers.js";

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/ok") return json(200, { status: "healthy" });
    if (req.url === "/degraded") return json(200, { status: "degraded" });
    if (req.url === "/down") return json(503, { status: "unhealthy", detail: "secret-ish text never echoed" });
    if (req.url === "/plain") return res.end("OK");
    if (req.url === "/starting")
      return json(503, {
        status: "unhealthy",
        components: { service: { status: "unhealthy", error_code: "STARTING" } },
      });
    if (req.url === "/hang") return; // never answers
    json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("probeHttp", () => {
  it("reads the status from the code and the body", async () => {
    expect((await probeHttp(port, "/ok", 1000)).status).toBe("healthy");
    expect((await probeHttp(port, "/plain", 1000)).status).toBe("healthy");
    expect((await probeHttp(port, "/degraded", 1000)).status).toBe("degraded");
    const down = await probeHttp(port, "/down", 1000);
    expect(down).toMatchObject({ status: "unhealthy", httpStatus: 503, error: "HTTP 503" });
    expect(JSON.stringify(down)).not.toContain("secret-ish");
    expect(down.starting).toBeUndefined();
    // a tradeops node that bound its port and is still loading
    expect(await probeHttp(port, "/starting", 1000)).toMatchObject({ status: "unhealthy", starting: true });
    expect((await probeHttp(port, "/nope", 1000)).status).toBe("absent");
  });
  it("reads a hung server as a timeout, within its deadline", async () => {
    const started = performance.now();
    const result = await probeHttp(port, "/hang", 150);
    expect(result.status).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(1000);
  });
  it("reads a closed port as unreachable", async () => {
    expect(await probeHttp(await freePort(), "/health", 500)).toMatchObject({
      status: "unreachable",
      error: "ECONNREFUSED",
    });
  });
  it("counts healthy and degraded as passing, nothing else", () => {
    expect(
      ["healthy", "degraded", "unhealthy", "timeout", "unreachable", "absent", "unknown"].filter((s) =>
        isPassing(s as never),
      ),
    ).toEqual(["healthy", "degraded"]);
  });
});
