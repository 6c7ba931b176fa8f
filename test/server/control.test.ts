import { afterEach, describe, expect, it } from "vitest";
import { TroError } from "../../src/errors.js";
import type { TradingControls } from "../../src/server/context.js";
import { parseCorsOrigins } from "../../src/server/plugins/cors.js";
import { type Desk, deskHost } from "./helpers.js";

const TOKEN = "ctl-8f3e1c2a-token";
let desk: Desk | undefined;
afterEach(async () => {
  await desk?.host.shutdown("test over");
  desk = undefined;
});

function controlled(options: { token?: string; halt?: TradingControls["halt"] } = {}) {
  const calls: string[] = [];
  const d = deskHost({
    controlToken: "token" in options ? options.token : { reveal: () => TOKEN },
    corsOrigins: ["http://localhost:5173"],
    controls: {
      halt:
        options.halt ??
        ((r) => {
          calls.push(`halt:${r.reason}`);
          d.trading.state = "halted";
        }),
      resume: () => {
        calls.push("resume");
        d.trading.state = "active";
      },
      state: () => d.trading,
    },
  });
  desk = d;
  return { d, calls };
}

const post = (d: Desk, url: string, headers: Record<string, string> = {}, payload?: object) =>
  d.host.app.inject({ method: "POST", url, headers, ...(payload ? { payload } : {}) });
const auth = { authorization: `Bearer ${TOKEN}` };

describe("control routes", () => {
  it("halt and resume with the token drive the switch; halted shows as degraded, 200", async () => {
    const { d, calls } = controlled();
    await d.host.start();
    d.allGood();
    const halted = await post(d, "/control/halt", auth, { reason: "maintenance window" });
    expect(halted.statusCode).toBe(200);
    expect(halted.json()).toEqual({ ok: true, action: "halt", state: "halted" });
    const l2 = await d.host.app.inject("/readyz");
    expect(l2.statusCode).toBe(200);
    expect(l2.json().status).toBe("degraded");
    expect(l2.body).not.toContain("maintenance");
    const resumed = await post(d, "/control/resume", auth);
    expect(resumed.json()).toEqual({ ok: true, action: "resume", state: "active" });
    expect(calls).toEqual(["halt:maintenance window", "resume"]);
  });

  it("refuses without the token, with a wrong one, or a malformed header, and does nothing", async () => {
    const { d, calls } = controlled();
    await d.host.start();
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const res = await post(d, "/control/halt", headers, { reason: "x" });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("TRO_ERR_CONTROL_UNAUTHORIZED");
      expect(res.body).not.toContain(TOKEN);
    }
    expect(calls).toEqual([]);
  });

  it("refuses everyone when no token is configured", async () => {
    const { d, calls } = controlled({ token: undefined });
    await d.host.start();
    const res = await post(d, "/control/halt", { authorization: "Bearer " }, {});
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain("no control token is configured");
    expect(calls).toEqual([]);
  });

  it("checks the token before reading the body, and refuses a bad reason", async () => {
    const { d, calls } = controlled();
    await d.host.start();
    const unauth = await d.host.app.inject({
      method: "POST",
      url: "/control/halt",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(unauth.statusCode).toBe(401);
    const badJson = await d.host.app.inject({
      method: "POST",
      url: "/control/halt",
      headers: { ...auth, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe("TRO_ERR_USAGE");
    for (const reason of ["", "x".repeat(201), "line\nbreak", 42]) {
      const res = await post(d, "/control/halt", auth, { reason } as object);
      expect(res.statusCode).toBe(400);
    }
    expect((await post(d, "/control/halt", auth)).statusCode).toBe(200);
    expect(calls).toEqual(["halt:operator"]);
  });

  it("passes a coded refusal through and hides an unexpected failure's text", async () => {
    let fail: Error = new TroError("TRO_ERR_TRADING_HALTED", "trading is already halted by the drawdown rule");
    const { d } = controlled({
      halt: () => {
        throw fail;
      },
    });
    await d.host.start();
    const coded = await post(d, "/control/halt", auth, {});
    expect(coded.statusCode).toBe(409);
    expect(coded.json().error).toEqual({
      code: "TRO_ERR_TRADING_HALTED",
      message: "trading is already halted by the drawdown rule",
    });
    fail = new Error("redis://:hunter22@cache.internal:6379 timed out");
    const raw = await post(d, "/control/halt", auth, {});
    expect(raw.statusCode).toBe(500);
    expect(raw.body).not.toMatch(/hunter22|cache\.internal/);
  });

  it("answers CORS only for configured origins", async () => {
    const { d } = controlled();
    await d.host.start();
    const allowed = await d.host.app.inject({ url: "/health", headers: { origin: "http://localhost:5173" } });
    expect(allowed.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    const other = await d.host.app.inject({ url: "/health", headers: { origin: "http://evil.example" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await d.host.app.inject({
      method: "OPTIONS",
      url: "/control/halt",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-headers"]).toContain("authorization");
  });

  it("parses the seeds' API_CORS_ORIGINS and names a bad entry", () => {
    expect(parseCorsOrigins("http://localhost:5173, http://localhost:3000")).toEqual([
      "http://localhost:5173",
      "http://localhost:3000",
    ]);
    expect(parseCorsOrigins("")).toEqual([]);
    expect(() => parseCorsOrigins("http://localhost:5173,localhost:3000/app")).toThrow(
      'API_CORS_ORIGINS: "localhost:3000/app" is not an origin',
    );
  });
});
