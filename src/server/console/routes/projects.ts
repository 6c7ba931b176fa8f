/**
 * Read routes: the environment and what decided it, the projects (kind, mode, account, release, colour, state,
 * health levels 1–2 from the supervisor's monitor; level 3 on request), and each strategy's book from its
 * running service.
 */
import type { FastifyInstance } from "fastify";
import { TroError } from "../../../errors.js";
import { probeHealth } from "../../../health/probe.js";
import { DEEP_PATH } from "../../../health/targets.js";
import { localWorkers, probeLocalWorkers } from "../../../node/worker-health.js";
import { requireProject } from "../../../workspace/lookup.js";
import type { ConsoleContext } from "../context.js";
import { projectView, servingInstance } from "../projects.js";
import { errorsWith, openObject, projectParams, projectSchema, sendError } from "../schemas.js";

/** How long the console waits for a service's /portfolio. */
export const PORTFOLIO_TIMEOUT_MS = 2_000;

export function projectRoutes(ctx: ConsoleContext) {
  return async (app: FastifyInstance) => {
    app.get(
      "/environment",
      {
        schema: {
          summary: "The environment this console serves and the rule that decided it",
          tags: ["environment"],
          response: {
            200: {
              type: "object",
              properties: {
                workspace: { type: "string" },
                environment: { type: "string" },
                source: { type: "string" },
                detail: { type: "string" },
                evaluated: { type: "array", items: openObject("one detection rule: rule, matched, detail") },
                warnings: { type: "array", items: { type: "string" } },
                startedAt: { type: "string" },
                uptimeSeconds: { type: "number" },
                supervisor: openObject("the supervisor's pid, state directory and start time; null if none answers"),
                supervisorError: { type: ["string", "null"] },
              },
            },
          },
        },
      },
      async () => {
        const d = ctx.detection;
        const info = ctx.status.current()?.supervisor;
        return {
          workspace: ctx.workspace.name,
          environment: ctx.environment,
          source: d.source,
          detail: d.detail,
          evaluated: d.evaluated,
          warnings: d.warnings,
          startedAt: ctx.startedAt.toISOString(),
          uptimeSeconds: Math.round((ctx.now().getTime() - ctx.startedAt.getTime()) / 1000),
          supervisor: info ? { pid: info.pid, stateDir: info.stateDir, startedAt: info.startedAt } : null,
          supervisorError: ctx.status.error ?? null,
        };
      },
    );

    app.get(
      "/projects",
      {
        schema: {
          summary: "Every project: kind, mode, account, release, colour, state, health levels 1–2",
          tags: ["projects"],
          response: {
            200: {
              type: "object",
              properties: {
                environment: { type: "string" },
                projects: { type: "array", items: projectSchema },
              },
            },
          },
        },
      },
      (_request, reply) => {
        reply.type("application/json; charset=utf-8").send(ctx.overview.body());
      },
    );

    app.get<{ Params: { name: string } }>(
      "/projects/:name",
      {
        schema: {
          summary: "One project",
          tags: ["projects"],
          params: projectParams,
          response: { 200: projectSchema, ...errorsWith(404) },
        },
      },
      async (request, reply) => {
        try {
          const project = requireProject(ctx.workspace, request.params.name);
          return projectView(ctx.workspace, ctx.environment, ctx.status.current(), project);
        } catch (error) {
          return sendError(reply, error);
        }
      },
    );

    app.get<{ Params: { name: string }; Querystring: { level?: 1 | 2 | 3 } }>(
      "/projects/:name/health",
      {
        schema: {
          summary: "Probe a project's health now: level 1, 2 or 3 (live checks of its dependencies)",
          tags: ["projects"],
          params: projectParams,
          querystring: { type: "object", properties: { level: { type: "integer", enum: [1, 2, 3], default: 2 } } },
          response: {
            200: openObject("the probe: project, url, level, status, passing, total, checks[]"),
            ...errorsWith(404, 503),
          },
        },
      },
      async (request, reply) => {
        try {
          const project = requireProject(ctx.workspace, request.params.name);
          const level = request.query.level ?? 2;
          const port = servingInstance(ctx.status.current(), project.name)?.port ?? project.port;
          // a worker has no endpoint: its heartbeat file or check command answers, as for `tradeops health`
          const [worker] = port ? [] : localWorkers(ctx.workspace, ctx.environment, project.name);
          if (worker) return (await probeLocalWorkers([worker], level))[0];
          if (!port) throw new TroError("TRO_ERR_HEALTH_FAILED", `${project.name} has no port, so no health endpoint.`);
          return await probeHealth(
            {
              project: project.name,
              url: `http://127.0.0.1:${port}`,
              remote: false,
              paths: {
                level1: project.health.path,
                level2: project.health.detailedPath,
                level3: project.health.deepPath ?? DEEP_PATH,
              },
              timeoutMs: project.health.timeoutSeconds * 1000,
            },
            { level },
          );
        } catch (error) {
          return sendError(reply, error);
        }
      },
    );

    app.get<{ Params: { name: string } }>(
      "/projects/:name/portfolio",
      {
        schema: {
          summary: "A strategy's book: cash, equity, P&L, drawdown, positions, open orders, trades, equity and prices",
          tags: ["trading"],
          params: projectParams,
          response: {
            200: openObject("the running service's /portfolio snapshot (see docs/console.md)"),
            ...errorsWith(400, 404, 503),
          },
        },
      },
      async (request, reply) => {
        try {
          const project = requireProject(ctx.workspace, request.params.name);
          if (project.kind !== "strategy")
            throw new TroError(
              "TRO_ERR_USAGE",
              `${project.name} is a ${project.kind}, not a strategy: it has no book.`,
            );
          const port = servingInstance(ctx.status.current(), project.name)?.port ?? project.port;
          const unavailable = new TroError(
            "TRO_ERR_SERVICE_START",
            `${project.name} is not trading in ${ctx.environment}: no service answered on port ${port ?? "(none)"}.`,
            { hint: `Start it with \`tradeops start ${project.name}\` or from the overview.` },
          );
          if (!port) throw unavailable;
          const response = await ctx
            .fetch(`http://127.0.0.1:${port}/portfolio`, { signal: AbortSignal.timeout(PORTFOLIO_TIMEOUT_MS) })
            .catch(() => undefined);
          if (!response?.ok) throw unavailable;
          return reply.header("cache-control", "no-store").send(await response.json());
        } catch (error) {
          return sendError(reply, error);
        }
      },
    );
  };
}
