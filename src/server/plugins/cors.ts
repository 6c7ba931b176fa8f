/**
 * CORS from configuration (the seeds' `API_CORS_ORIGINS`): only listed origins get the allow headers;
 * preflights are answered for them; nothing is allowed by default.
 */
import type { FastifyInstance } from "fastify";
import { TroError } from "../../errors.js";

const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * Parses a comma-separated origin list such as `http://localhost:5173,http://localhost:3000`.
 * @throws TRO_ERR_CONFIG_INVALID naming the first entry that is not `scheme://host[:port]`
 */
export function parseCorsOrigins(value: string | undefined, source = "API_CORS_ORIGINS"): string[] {
  const origins = (value ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let ok = false;
    try {
      ok = new URL(origin).origin === origin;
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new TroError("TRO_ERR_CONFIG_INVALID", `${source}: "${origin}" is not an origin`, {
        hint: "Write origins as scheme://host[:port], comma-separated, without paths or trailing slashes.",
      });
    }
  }
  return origins;
}

/** Adds the allow headers for listed origins and answers their preflight requests. */
export function corsHooks(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook("onRequest", (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      reply.header("access-control-allow-origin", origin).header("vary", "Origin");
    }
    done();
  });
  app.options("/*", (request, reply) => {
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      reply
        .header("access-control-allow-methods", "GET, POST, OPTIONS")
        .header("access-control-allow-headers", "authorization, content-type, accept")
        .header("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    reply.code(204).send();
  });
}
