/**
 * Backtest requests: POST a project (its strategy), a date range, a data source and the initial capital; the
 * request is queued and run by the same runner as `tradeops backtest`; progress streams as Server-Sent
 * Events; the result carries the summary and the URL of the HTML report.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { TroError } from "../../../errors.js";
import { parseDay } from "../../../runtime/runner.js";
import { requireProject } from "../../../workspace/lookup.js";
import { MUTATING_SECURITY, requireCredentials } from "../auth.js";
import type { BacktestJob, BacktestRequest } from "../backtest-queue.js";
import type { ConsoleContext } from "../context.js";
import { errorsWith, openObject, sendError } from "../schemas.js";
import { openEventStream } from "../sse.js";

const jobSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    request: openObject("the request as given"),
    status: { type: "string", enum: ["queued", "running", "succeeded", "failed"] },
    createdAt: { type: "string" },
    startedAt: { type: ["string", "null"] },
    finishedAt: { type: ["string", "null"] },
    progress: { type: "number", minimum: 0, maximum: 1 },
    bars: { type: ["object", "null"], properties: { done: { type: "integer" }, total: { type: "integer" } } },
    summary: { type: ["object", "null"], additionalProperties: true },
    reportUrl: { type: ["string", "null"] },
    error: { type: ["string", "null"] },
  },
} as const;

const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[0-9]{14}-[0-9]+$" } },
} as const;

const done = (job: BacktestJob) => job.status === "succeeded" || job.status === "failed";

export function backtestRoutes(ctx: ConsoleContext) {
  return async (app: FastifyInstance) => {
    app.get(
      "/backtests",
      {
        schema: {
          summary: "Backtest requests, newest first",
          tags: ["backtests"],
          response: { 200: { type: "object", properties: { backtests: { type: "array", items: jobSchema } } } },
        },
      },
      async () => ({ backtests: ctx.backtests.list() }),
    );

    app.get<{ Params: { id: string } }>(
      "/backtests/:id",
      {
        schema: {
          summary: "One backtest: status, progress, summary and report URL",
          tags: ["backtests"],
          params: idParams,
          response: { 200: jobSchema, ...errorsWith(404) },
        },
      },
      async (request, reply) => {
        const job = ctx.backtests.get(request.params.id);
        if (!job) return sendError(reply, unknownJob(request.params.id));
        return job;
      },
    );

    app.get<{ Params: { id: string } }>(
      "/backtests/:id/events",
      {
        schema: {
          summary: "Progress as Server-Sent Events (event `progress`, then `done`)",
          tags: ["backtests"],
          params: idParams,
          produces: ["text/event-stream"],
          response: { 200: { type: "string", description: "text/event-stream" }, ...errorsWith(404) },
        },
      },
      (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
        const job = ctx.backtests.get(request.params.id);
        if (!job) return sendError(reply, unknownJob(request.params.id));
        const stream = openEventStream(request, reply);
        const onJob = (changed: BacktestJob) => {
          if (changed.id !== job.id) return;
          stream.send(done(changed) ? "done" : "progress", changed);
          if (done(changed)) stream.end();
        };
        stream.send(done(job) ? "done" : "progress", job);
        if (done(job)) return stream.end();
        ctx.backtests.events.on("job", onJob);
        stream.signal.addEventListener("abort", () => ctx.backtests.events.off("job", onJob), { once: true });
      },
    );

    app.register(async (mutating) => {
      mutating.addHook("onRequest", requireCredentials(ctx.auth));
      mutating.post<{ Body: BacktestRequest }>(
        "/backtests",
        {
          schema: {
            summary: "Queue a backtest of a strategy over a range, on a data source, with an initial capital",
            tags: ["backtests"],
            security: MUTATING_SECURITY,
            body: {
              type: "object",
              required: ["project"],
              additionalProperties: false,
              properties: {
                project: { type: "string", maxLength: 100, description: "the strategy project" },
                from: { type: "string", maxLength: 40, description: "YYYY-MM-DD or an ISO time" },
                to: { type: "string", maxLength: 40 },
                data: { type: "string", maxLength: 300, description: "sample:sp500, csv:FILE, archive, alpaca" },
                initialCash: { type: "number", minimum: 1, maximum: 1e12 },
              },
            },
            response: { 202: jobSchema, ...errorsWith(400, 401, 404, 409, 429) },
          },
        },
        async (request, reply) => {
          try {
            const body = request.body;
            const project = requireProject(ctx.workspace, body.project);
            if (project.kind !== "strategy")
              throw new TroError("TRO_ERR_USAGE", `${project.name} is a ${project.kind}, not a strategy.`, {
                hint: "Backtest a project of kind strategy.",
              });
            const from = parseDay(body.from, "from");
            const to = parseDay(body.to, "to");
            if (from !== undefined && to !== undefined && from >= to)
              throw new TroError("TRO_ERR_USAGE", `from ${body.from} is not before to ${body.to}.`, {
                hint: "Give a range with from < to.",
              });
            return reply.code(202).send(ctx.backtests.submit({ ...body, project: project.name }));
          } catch (error) {
            return sendError(reply, error);
          }
        },
      );
    });
  };
}

function unknownJob(id: string): TroError {
  return new TroError("TRO_ERR_NOT_FOUND", `There is no backtest ${id}.`, {
    hint: "List them with GET /api/v1/backtests.",
  });
}
