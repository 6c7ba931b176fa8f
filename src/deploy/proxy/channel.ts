/**
 * The keeper's control channel: a loopback HTTP server whose every request but `GET /health` must carry the token
 * kept in the 0600 `proxy.json`. It only parses, checks and answers; the keeper does the work.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface GuardInput {
  readonly fallback: { readonly color: string; readonly port: number; readonly release: string };
  readonly leaseMs: number;
}

export interface ChannelHandlers {
  health(): { readonly ok: boolean; readonly body: unknown };
  status(): Promise<unknown>;
  switchTo(color: string, port: number, release: string, guard?: GuardInput): Promise<unknown>;
  /** extends an unconfirmed switch's guard */
  renew(leaseMs: number): unknown;
  /** the switch to `release` is verified: its guard ends; `ok: false` when traffic is no longer on it */
  confirm(release: string): { readonly ok: boolean; readonly body: unknown };
  drain(port: number, timeoutMs: number | undefined): Promise<unknown>;
  /** `ok: false` when no restart could be made (answered 503 with the reason) */
  restart(): Promise<{ readonly ok: boolean; readonly body: unknown }>;
  stop(): void;
}

function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => {
      text += d;
    });
    req.on("end", () => {
      try {
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
  });
}

function reply(res: ServerResponse, code: number, value: unknown): void {
  res.writeHead(code, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(value));
}

const isPort = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;

/** The channel's server (not yet listening) and the token its clients must send. */
export function createControlChannel(handlers: ChannelHandlers): { server: Server; token: string } {
  const token = randomBytes(24).toString("hex");
  const expected = Buffer.from(`Bearer ${token}`);
  const authorized = (req: IncomingMessage) => {
    const given = Buffer.from(String(req.headers.authorization ?? ""));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const server = createServer(async (req, res) => {
    const route = `${req.method} ${req.url}`;
    if (route === "GET /health") {
      const health = handlers.health();
      return reply(res, health.ok ? 200 : 503, health.body);
    }
    if (!authorized(req)) return reply(res, 401, { error: "unauthorized" });
    if (route === "GET /status") return reply(res, 200, await handlers.status());
    const input = await body(req);
    if (route === "POST /switch") {
      const port = Number(input.port);
      if (!isPort(port) || !input.color || !input.release)
        return reply(res, 400, { error: "switch needs color, port and release" });
      const guard = input.guard as GuardInput | undefined;
      if (guard && (!isPort(Number(guard.fallback?.port)) || !(Number(guard.leaseMs) > 0)))
        return reply(res, 400, { error: "a switch guard needs a fallback port and a lease" });
      return reply(res, 200, await handlers.switchTo(String(input.color), port, String(input.release), guard));
    }
    if (route === "POST /renew") {
      const leaseMs = Number(input.leaseMs);
      if (!(leaseMs > 0)) return reply(res, 400, { error: "renew needs leaseMs" });
      return reply(res, 200, handlers.renew(leaseMs));
    }
    if (route === "POST /confirm") {
      const result = handlers.confirm(String(input.release ?? ""));
      return reply(res, result.ok ? 200 : 409, result.body);
    }
    if (route === "POST /drain") {
      const port = Number(input.port);
      if (!isPort(port)) return reply(res, 400, { error: "drain needs a port" });
      const timeoutMs = input.timeoutMs === undefined ? undefined : Number(input.timeoutMs);
      return reply(res, 200, await handlers.drain(port, timeoutMs));
    }
    if (route === "POST /restart") {
      const result = await handlers.restart();
      return reply(res, result.ok ? 200 : 503, result.body);
    }
    if (route === "POST /stop") {
      reply(res, 200, { stopping: true });
      return handlers.stop();
    }
    reply(res, 404, { error: "unknown control request" });
  });
  return { server, token };
}
