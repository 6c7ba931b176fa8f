/**
 * One HTTP health probe with a hard deadline: a hung process (alive, not answering) reads as `timeout`. No
 * connection reuse, so a probe after a restart never rides a dead keep-alive socket.
 */
import { request } from "node:http";
import { HEALTH_BODY_LIMIT } from "./constants.js";
import type { ProbeStatus } from "./types.js";

export interface ProbeResult {
  readonly status: ProbeStatus;
  readonly httpStatus?: number;
  readonly ms: number;
  /** a short, fixed description (never the response body) */
  readonly error?: string;
  /** the body's `service` component says STARTING: a tradeops node bound its port and is still loading */
  readonly starting?: boolean;
}

export type HealthProbe = (port: number, path: string, timeoutMs: number) => Promise<ProbeResult>;

const KNOWN: ReadonlySet<string> = new Set(["healthy", "degraded", "unhealthy"]);

/** GET http://127.0.0.1:PORT/PATH: 2xx healthy (or the body's `status`), 404 absent, 503 and others unhealthy. */
export const probeHttp: HealthProbe = (port, path, timeoutMs) =>
  new Promise((resolve) => {
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    let settled = false;
    const finish = (result: Omit<ProbeResult, "ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...result, ms: ms() });
    };
    const timer = setTimeout(() => finish({ status: "timeout", error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "GET",
        agent: false,
        headers: { accept: "application/json", connection: "close", "user-agent": "tradeops-supervisor" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= HEALTH_BODY_LIMIT) chunks.push(chunk);
        });
        res.on("error", () => finish({ status: "unreachable", error: "response interrupted" }));
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          if (code === 404) return finish({ status: "absent", httpStatus: code, error: "404 not found" });
          const body = Buffer.concat(chunks).toString("utf8");
          const declared = declaredStatus(body);
          if (code >= 200 && code < 300)
            return finish({
              status: declared === "unhealthy" ? "unhealthy" : (declared ?? "healthy"),
              httpStatus: code,
            });
          finish({
            status: "unhealthy",
            httpStatus: code,
            error: `HTTP ${code}`,
            ...(code === 503 && isStarting(body) ? { starting: true } : {}),
          });
        });
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish({ status: "unreachable", error: error.code ?? "connection failed" }),
    );
    req.end();
  });

/** A level-2 body whose `service` component is STARTING (docs/health.md). */
function isStarting(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { components?: { service?: { error_code?: unknown } } };
    return parsed.components?.service?.error_code === "STARTING";
  } catch {
    return false;
  }
}

function declaredStatus(body: string): "healthy" | "degraded" | "unhealthy" | undefined {
  try {
    const status = (JSON.parse(body) as { status?: unknown }).status;
    if (typeof status === "string") {
      const s = status.toLowerCase();
      if (KNOWN.has(s)) return s as "healthy" | "degraded" | "unhealthy";
      if (s === "pass" || s === "ok" || s === "up") return "healthy";
      if (s === "warn") return "degraded";
      if (s === "fail" || s === "down") return "unhealthy";
    }
  } catch {
    // not JSON: the status code speaks
  }
  return undefined;
}

/** Whether a level-1 answer counts as alive (degraded still serves). */
export function isPassing(status: ProbeStatus): boolean {
  return status === "healthy" || status === "degraded";
}
