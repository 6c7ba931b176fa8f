/**
 * The service host's Fastify app, built from plugins over the health library; it does not listen (tests use
 * `app.inject()`, `createServiceHost` listens). Errors answer with a code and a fixed sentence, never with
 * the exception's text.
 */
import { createRequire } from "node:module";
import type { FastifyError, FastifyInstance } from "fastify";
import type { HostContext } from "./context.js";
import { controlRoutes } from "./plugins/control-routes.js";
import { corsHooks } from "./plugins/cors.js";
import { healthRoutes } from "./plugins/health-routes.js";
import { metricsRoute } from "./plugins/metrics.js";
import { portfolioRoute } from "./plugins/portfolio-route.js";

// Fastify is loaded from node_modules at run time rather than bundled into dist/: the bundle is built with
// esbuild's keepNames, which wraps every closure Fastify creates per request and costs ~10 µs a request.
const Fastify = createRequire(import.meta.url)("fastify") as typeof import("fastify").default;

/** Control bodies are a short reason; anything bigger is refused before parsing. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** The app for one service host (routes registered, not listening). */
export function buildServiceApp(ctx: HostContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    // liveness keeps answering while HTTP closes; Fastify would otherwise answer 503 on every route
    return503OnClosing: false,
    bodyLimit: BODY_LIMIT_BYTES,
  });
  corsHooks(app, ctx.corsOrigins);
  app.setNotFoundHandler((request, reply) => {
    ctx.metrics.countRequest(request.method, "unmatched", 404);
    return reply.code(404).send({ ok: false, error: { code: "TRO_ERR_USAGE", message: "no such route" } });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) ctx.logger.error({ route: request.routeOptions.url, code: error.code }, "request failed");
    const message = status === 500 ? "internal error" : "the request is malformed";
    const code = status === 500 ? "TRO_ERR_INTERNAL" : "TRO_ERR_USAGE";
    return reply.code(status).header("cache-control", "no-store").send({ ok: false, error: { code, message } });
  });
  app.register(healthRoutes(ctx));
  app.register(metricsRoute(ctx));
  if (ctx.controls) app.register(controlRoutes(ctx, ctx.controls));
  if (ctx.portfolio) app.register(portfolioRoute(ctx, ctx.portfolio));
  return app;
}
