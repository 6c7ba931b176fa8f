/**
 * GET /metrics in Prometheus text, and the HTTP request metrics behind it. Routes are labelled by their
 * pattern (never the raw URL), so label cardinality stays bounded. The hook is added per plugin, not at
 * the root: a root `onResponse` hook makes Fastify attach listeners to every response, probes included.
 */
import type { FastifyInstance } from "fastify";
import type { HostContext } from "../context.js";

export const METRICS_PATH = "/metrics";

/** Counts and times every answered request of the plugin it is added to (all but the health probes). */
export function httpMetricsHook(app: FastifyInstance, ctx: HostContext): void {
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const method = request.method;
    ctx.metrics.http.inc({ method, route, status_code: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
}

/** GET /metrics: the registry's Prometheus text, collected on scrape. */
export function metricsRoute(ctx: HostContext) {
  return async (app: FastifyInstance) => {
    httpMetricsHook(app, ctx);
    app.get(METRICS_PATH, async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.header("cache-control", "no-store").type(ctx.metrics.registry.contentType).send(text);
    });
  };
}
