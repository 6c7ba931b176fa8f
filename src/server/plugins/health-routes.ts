/**
 * The health routes. Levels 1 and 2 are synchronous handlers over memory (they cannot await I/O by
 * construction); level 3 awaits the cached, single-flight live checks and is for local or token callers.
 * Every answer is `Cache-Control: no-store`, JSON by default, health+json when `Accept` asks for it.
 * Probes are counted in the HTTP metrics without a response hook (they are the hottest routes).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HEALTH_JSON_TYPE, level1HealthJson, level2HealthJson, level3HealthJson } from "../../health/health-json.js";
import { level1Report, level2Report, level3Report } from "../../health/reports.js";
import { DEEP_PATH } from "../../health/targets.js";
import { HTTP_STATUS } from "../../health/types.js";
import { bearerMatches, isLocalCaller, tokenValue } from "../auth.js";
import type { HostContext } from "../context.js";
import { level1Schema } from "./schemas.js";

export const LEVEL1_PATHS = ["/health", "/livez"] as const;
export const LEVEL2_PATHS = ["/health/detailed", "/readyz"] as const;
export const LEVEL3_PATH = DEEP_PATH;

const wantsHealthJson = (request: FastifyRequest) => (request.headers.accept ?? "").includes(HEALTH_JSON_TYPE);

function healthJson(reply: FastifyReply, body: unknown) {
  return reply.type(HEALTH_JSON_TYPE).send(JSON.stringify(body));
}

/** Registers levels 1, 2 and 3 with their aliases and the manifest's own paths. */
export function healthRoutes(ctx: HostContext) {
  return async (app: FastifyInstance) => {
    const level1 = (url: string) => (request: FastifyRequest, reply: FastifyReply) => {
      const now = ctx.clock.now();
      const report = level1Report(ctx.identity, ctx.liveness.verdict(now), ctx.system.snapshot(), now);
      const status = HTTP_STATUS[report.status];
      ctx.metrics.countRequest(request.method, url, status);
      reply.code(status).header("cache-control", "no-store");
      return wantsHealthJson(request) ? healthJson(reply, level1HealthJson(report)) : report;
    };
    const level2 = (url: string) => (request: FastifyRequest, reply: FastifyReply) => {
      const now = ctx.clock.now();
      const components = ctx.registry.evaluate(now);
      const report = level2Report(ctx.identity, components, now);
      const status = HTTP_STATUS[report.status];
      ctx.metrics.countRequest(request.method, url, status);
      reply.code(status).header("cache-control", "no-store");
      return wantsHealthJson(request) ? healthJson(reply, level2HealthJson(report, components)) : report;
    };
    const level3 = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header("cache-control", "no-store");
      const token = tokenValue(ctx.controlToken);
      if (!isLocalCaller(request) && !(token && bearerMatches(request.headers.authorization, token))) {
        ctx.metrics.countRequest(request.method, LEVEL3_PATH, 401);
        return reply.code(401).send({
          ok: false,
          error: {
            code: "TRO_ERR_CONTROL_UNAUTHORIZED",
            message: "level 3 health answers callers on this machine, or callers with the control token",
          },
        });
      }
      const round = await ctx.deep.run();
      ctx.metrics.recordDeep(round);
      const now = ctx.clock.now();
      const components = ctx.registry.evaluate(now);
      const report = level3Report(ctx.identity, components, round.checks, now);
      ctx.metrics.countRequest(request.method, LEVEL3_PATH, HTTP_STATUS[report.status]);
      reply.code(HTTP_STATUS[report.status]);
      return wantsHealthJson(request) ? healthJson(reply, level3HealthJson(report, components)) : report;
    };
    for (const url of new Set([...LEVEL1_PATHS, ...ctx.paths.level1])) {
      app.get(url, { schema: { response: { 200: level1Schema, 503: level1Schema } } }, level1(url));
    }
    for (const url of new Set([...LEVEL2_PATHS, ...ctx.paths.level2])) app.get(url, level2(url));
    app.get(LEVEL3_PATH, level3);
  };
}
