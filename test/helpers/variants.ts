/** Versions of the example service's server.mjs for deploy tests: healthy, or broken in one specific way. */

/** The service, with `hook` placed before it listens and `detailed` deciding the level-2 status. */
function server(options: { before?: string; detailed?: string; delayHealthMs?: number; listen?: boolean }): string {
  return `import { createServer } from "node:http";
const port = Number(process.env.PORT ?? 8001);
const label = process.env.ALPINE_HTTP__VERSION_LABEL ?? "v1";
const started = Date.now();
let shuttingDown = false;
${options.before ?? ""}
const server = createServer((req, res) => {
  const body = (status, value) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(value));
  };
  const answer = () => {
    if (req.url === "/health" || req.url === "/livez") return body(200, { status: "healthy", service: "alpine-backend" });
    if (req.url === "/health/detailed" || req.url === "/readyz") {
      const ok = !shuttingDown && (${options.detailed ?? "true"});
      return body(ok ? 200 : 503, { status: ok ? "healthy" : "unhealthy", service: "alpine-backend" });
    }
    if (req.url === "/version") return body(200, { version: label });
    return body(404, { error: "not found" });
  };
  ${options.delayHealthMs ? `if (req.url.startsWith("/health")) return setTimeout(answer, ${options.delayHealthMs});` : ""}
  answer();
});
${options.listen === false ? "setInterval(() => {}, 1000);" : 'server.listen(port, "127.0.0.1", () => process.stdout.write(JSON.stringify({ event: "listening", port: server.address().port }) + "\\n"));'}
process.on("SIGTERM", () => {
  shuttingDown = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(0), 3000).unref();
});
`;
}

export const HEALTHY = server({});
/** exits before it listens */
export const CRASHES = server({ before: 'process.stderr.write("boom: cannot read config\\n"); process.exit(3);' });
/** runs but never listens */
export const HANGS = server({ listen: false });
/** answers level 1 but reports itself unhealthy at level 2 */
export const UNHEALTHY = server({ detailed: "false" });
/** answers health slower than the probe's timeout (3 s) */
export const SLOW = server({ delayHealthMs: 4000 });
/** healthy at start, unhealthy from `afterMs` on (it fails in the monitoring window) */
export const DEGRADES = (afterMs: number) => server({ detailed: `Date.now() - started < ${afterMs}` });
/** prints its secret (raw and in common encodings) to both streams, then exits before it listens */
export const LEAKS_AND_CRASHES = server({
  before: `const k = process.env.ANALYTICS_API_KEY ?? "";
const forms = [k, Buffer.from(k).toString("base64"), Buffer.from("x" + k).toString("base64url"), encodeURIComponent(k), JSON.stringify({ k })];
process.stdout.write("key " + forms.join(" ") + "\\n");
process.stderr.write("boom: bad key " + forms.join(" ") + "\\n");
process.exit(3);`,
});
