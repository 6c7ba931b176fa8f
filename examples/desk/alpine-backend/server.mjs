// alpine-backend: a small HTTP service. It reads its config from environment variables that
// `tradeops run` / the supervisor provide (ALPINE_HTTP__HOST, …) and its port from PORT.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 8001);
const host = process.env.ALPINE_HTTP__HOST ?? "127.0.0.1";
const label = process.env.ALPINE_HTTP__VERSION_LABEL ?? "v1";
const started = Date.now();
let shuttingDown = false;
// one JSON event per line on stdout: the supervisor (or the deploy's runner) keeps it in the service's log
const log = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const server = createServer((req, res) => {
  const body = (status, value) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(value));
  };
  if (req.url === "/health" || req.url === "/livez") {
    return body(200, { status: "healthy", service: "alpine-backend", uptime_seconds: (Date.now() - started) / 1000 });
  }
  if (req.url === "/readyz" || req.url === "/health/detailed") {
    return body(shuttingDown ? 503 : 200, { status: shuttingDown ? "unhealthy" : "healthy", service: "alpine-backend" });
  }
  if (req.url === "/health/deep") {
    // level 3: the live dependencies this service has (its config and its analytics key), each with a stable code
    const checks = {
      config: { status: process.env.ALPINE_HTTP__HOST ? "healthy" : "unhealthy", error_code: process.env.ALPINE_HTTP__HOST ? null : "NO_CONFIG", critical: true },
      analytics_key: { status: process.env.ANALYTICS_API_KEY ? "healthy" : "unhealthy", error_code: process.env.ANALYTICS_API_KEY ? null : "NO_KEY", critical: true },
    };
    const ok = !shuttingDown && Object.values(checks).every((c) => c.status === "healthy");
    return body(ok ? 200 : 503, { status: ok ? "healthy" : "unhealthy", service: "alpine-backend", level: 3, checks });
  }
  if (req.url === "/version") return body(200, { version: label });
  return body(404, { error: "not found" });
});

server.listen(port, host, () => {
  log({ event: "listening", port: server.address().port });
});
process.on("SIGTERM", () => {
  shuttingDown = true;
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
});
