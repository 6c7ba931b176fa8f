/**
 * The front proxy's worker: forwards each request on the public socket (handed over by the keeper, never bound
 * here) to the active colour's internal port. The route changes in one event-loop turn, so a request goes wholly to
 * one colour; in-flight requests finish on the colour they started on and are counted per port for `drain`.
 * Told to drain, it stops accepting (the keeper's other worker takes new connections), asks keep-alive clients to
 * reconnect (`Connection: close`), finishes what is in flight and exits.
 */

import { spawn } from "node:child_process";
import {
  Agent,
  createServer,
  type Agent as HttpAgent,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import { connect, Server as NetServer } from "node:net";
import {
  ENV_RETIRE_PID,
  ENV_SOCKET_FD,
  type FromWorker,
  INHERITED_SOCKET_FD,
  type ProxyRoute,
  type ToWorker,
} from "./protocol.js";

const HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);
const RETRYABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE"]);
const BODYLESS = new Set(["GET", "HEAD", "OPTIONS", "DELETE"]);
/** An idempotent request meeting a refused or reset connection is retried this long: a supervised release restarting after a
 * crash comes back within it, so clients see a slower answer instead of a 502. */
const REFUSED_RETRY_MS = 2_000;
const REFUSED_RETRY_STEP_MS = 50;
/** After a drain starts, idle keep-alive connections get this long to send one more request (answered with
 * `Connection: close`) before they are closed. */
const IDLE_GRACE_MS = 500;
/** A worker whose keeper died serves on until the keeper it started takes over, at most this long. */
const ORPHAN_MS = 15_000;

type Headers = Record<string, string | string[] | undefined>;

function strip(headers: Headers): Headers {
  const h: Headers = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k)) h[k] = v;
  return h;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** Runs a worker in this process; it talks to its keeper over the IPC channel it was forked with. */
export function runWorker(): void {
  // the keeper may be gone between two lines: a failed send goes to the callback instead of killing the worker
  const send = (message: FromWorker) => process.connected && process.send?.(message, undefined, {}, () => undefined);
  let route: ProxyRoute | null = null;
  let draining = false;
  const inflight = new Map<number, number>();
  const agents = new Map<number, HttpAgent>();
  const agentFor = (port: number): HttpAgent => {
    let agent = agents.get(port);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 512 });
      agents.set(port, agent);
    }
    return agent;
  };
  const add = (port: number, n: number) => inflight.set(port, (inflight.get(port) ?? 0) + n);
  const total = () => [...inflight.values()].reduce((a, b) => a + b, 0);

  function forward(req: IncomingMessage, res: ServerResponse): void {
    if (draining) res.setHeader("connection", "close");
    const method = req.method ?? "GET";
    const since = Date.now();
    const headers = strip(req.headers);
    headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    headers["x-forwarded-proto"] = "http";
    const bodyless = BODYLESS.has(method) && !req.headers["content-length"] && !req.headers["transfer-encoding"];
    if (bodyless) req.resume();
    let upstream: ReturnType<typeof request> | undefined;
    let finish = () => {};
    res.on("close", () => {
      if (!res.writableFinished) upstream?.destroy();
      finish();
    });
    const attempt = (reused: boolean) => {
      const current = route;
      if (!current) return reply(res, 503, { error: "no release is active behind this proxy" });
      const port = current.port;
      let open = true;
      finish = () => {
        if (open) {
          open = false;
          add(port, -1);
        }
      };
      const done = finish;
      add(port, 1);
      const up = request({ host: "127.0.0.1", port, method, path: req.url, headers, agent: agentFor(port) });
      upstream = up;
      up.on("response", (r) => {
        res.writeHead(r.statusCode ?? 502, r.statusMessage, strip(r.headers));
        r.pipe(res);
        r.on("end", done);
        r.on("error", () => {
          done();
          res.destroy();
        });
      });
      up.on("error", (error: NodeJS.ErrnoException) => {
        done();
        if (res.headersSent || res.destroyed) return void res.destroy();
        // a kept-alive socket the backend had just closed: a request without a body is safe to send again
        if (!reused && up.reusedSocket && bodyless) return attempt(true);
        // the active colour is restarting (refused) or died under the request (reset): like nginx's
        // proxy_next_upstream, a request that may be repeated is sent again, until the window closes
        if (
          RETRYABLE.has(error.code ?? "") &&
          bodyless &&
          IDEMPOTENT.has(method) &&
          Date.now() - since < REFUSED_RETRY_MS
        ) {
          setTimeout(() => attempt(reused), REFUSED_RETRY_STEP_MS);
          return;
        }
        reply(res, 502, { error: "the active release did not answer" });
      });
      if (bodyless) up.end();
      else req.pipe(up);
    };
    attempt(false);
  }

  const server = createServer(forward);
  server.keepAliveTimeout = 65_000;
  const upgraded = new Set<{ destroy(): void }>();
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    if (!route) return socket.destroy();
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    const upstream = connect(route.port, "127.0.0.1", () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head?.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });

  const drain = (timeoutMs: number) => {
    if (draining) return;
    draining = true;
    // stop accepting without closing idle keep-alive connections at once (http's close() would): a client about to
    // reuse one would see a reset; they are asked to reconnect on their next answer, and closed when idle
    NetServer.prototype.close.call(server);
    const deadline = Date.now() + timeoutMs;
    const idle = setTimeout(() => server.closeIdleConnections(), IDLE_GRACE_MS);
    const tick = setInterval(() => {
      if (total() > 0 && Date.now() < deadline) return;
      clearInterval(tick);
      clearTimeout(idle);
      server.closeAllConnections();
      server.close();
      for (const socket of upgraded) socket.destroy();
      for (const agent of agents.values()) agent.destroy();
      if (process.connected) process.disconnect();
    }, 20);
  };

  server.on("error", () => {
    // the socket cannot be listened on (another proxy took the port): the keeper sees this worker exit unready
    process.exitCode = 69;
    if (process.connected) process.disconnect();
  });
  let origin: { dir: string; port: number; host: string } | undefined;
  /**
   * The keeper died without stopping this worker: start the next keeper on the socket this worker holds (it never
   * stops listening, so no connection is refused); that keeper's first worker takes over and this one is told to drain.
   */
  const succeed = () => {
    const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (!origin || typeof fd !== "number" || fd < 0 || !process.argv[1]) return drain(5_000);
    const argv = [process.argv[1], "serve", origin.dir, String(origin.port), origin.host];
    const env = { ...process.env, [ENV_SOCKET_FD]: String(INHERITED_SOCKET_FD), [ENV_RETIRE_PID]: String(process.pid) };
    try {
      spawn(process.execPath, argv, { detached: true, stdio: ["ignore", "inherit", "inherit", fd], env }).unref();
    } catch {
      return drain(5_000);
    }
    setTimeout(() => drain(5_000), ORPHAN_MS).unref();
  };
  process.on("message", (message: ToWorker, handle?: unknown) => {
    switch (message.type) {
      case "listen":
        route = message.route;
        origin = { dir: message.dir, port: message.port, host: message.host };
        server.listen(handle as object, () => send({ type: "ready" }));
        return;
      case "route":
        route = message.route;
        send({ type: "ack", id: message.id });
        return;
      case "inflight":
        send({ type: "inflight", id: message.id, counts: Object.fromEntries(inflight) });
        return;
      case "forget":
        agents.get(message.port)?.destroy();
        agents.delete(message.port);
        return;
      case "drain":
        drain(message.timeoutMs);
        return;
    }
  });
  // the keeper is gone: when it stopped this worker drains already; when it died, the worker starts its successor
  process.on("disconnect", () => (draining ? undefined : succeed()));
  process.on("SIGTERM", () => drain(5_000));
  process.on("SIGINT", () => drain(5_000));
}
