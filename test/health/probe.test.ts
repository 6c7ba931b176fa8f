import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHealth } from "../../src/health/probe.js";

/** A plain HTTP service: `/health` and nothing else, as a small Node or Python service has. */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url === "/health" ? { status: "ok" } : { error: "not found" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const target = () => ({
  project: "quote-api",
  url,
  remote: false,
  paths: { level1: "/health", level2: "/health/detailed", level3: "/health/deep" },
  timeoutMs: 2000,
});

describe("a service that serves only level 1", () => {
  it("passes level 1, and levels 2 and 3 say NOT_OFFERED rather than an HTTP code", async () => {
    expect(await probeHealth(target(), { level: 1 })).toMatchObject({ status: "healthy", passing: 1, total: 1 });
    const deep = await probeHealth(target(), { level: 3 });
    expect(deep.checks.map((c) => [c.name, c.status, c.error_code])).toEqual([
      ["health", "healthy", null],
      ["detailed", "unhealthy", "NOT_OFFERED"],
      ["deep", "unhealthy", "NOT_OFFERED"],
    ]);
  });
});
