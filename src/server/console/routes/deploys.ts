/**
 * Deploy history (with gate results and health verdicts) and the releases kept on each target, read from
 * the targets themselves as `tradeops history` and `releases` do; rollback to the last known-good release
 * (or a named one) as `tradeops rollback` does, behind the console's credentials.
 */
import { hostname } from "node:os";
import type { FastifyInstance } from "fastify";
import { readHistory, readReleases, targetViews } from "../../../deploy/listing.js";
import { rollbackProject } from "../../../deploy/rollback.js";
import { requireTarget } from "../../../deploy/targets.js";
import type { DeployRecord } from "../../../deploy/types.js";
import { createExecutor, executorPool } from "../../../exec/create.js";
import { requireProject } from "../../../workspace/lookup.js";
import { MUTATING_SECURITY, operatorOf, requireCredentials } from "../auth.js";
import type { ConsoleContext } from "../context.js";
import { errorsWith, openObject, projectParams, sendError } from "../schemas.js";

export interface DeployRouteOptions {
  /** argv of the CLI, for releases started through the supervisor */
  readonly cli?: readonly string[];
}

export function deployRoutes(ctx: ConsoleContext, options: DeployRouteOptions = {}) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: { project?: string; limit?: number } }>(
      "/deploys",
      {
        schema: {
          summary: "Deploys, rollbacks and recoveries in this environment, newest first, with gates and health",
          tags: ["deploys"],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              project: { type: "string", maxLength: 100 },
              limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
            },
          },
          response: {
            200: {
              type: "object",
              properties: {
                environment: { type: "string" },
                records: { type: "array", items: openObject("a deploy record (docs/deploy.md)") },
                unreachable: { type: "array", items: { type: "string" } },
              },
            },
            ...errorsWith(400, 404),
          },
        },
      },
      async (request, reply) => {
        try {
          if (request.query.project) requireProject(ctx.workspace, request.query.project);
          const records: DeployRecord[] = [];
          const unreachable: string[] = [];
          for (const view of targetViews(ctx.workspace, ctx.environment, request.query.project)) {
            const executor = createExecutor(view.host, { env: ctx.env });
            try {
              records.push(...(await readHistory(view, executor)));
            } catch {
              unreachable.push(`${view.project} on ${view.host}`);
            } finally {
              await executor.close();
            }
          }
          records.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
          return { environment: ctx.environment, records: records.slice(0, request.query.limit ?? 50), unreachable };
        } catch (error) {
          return sendError(reply, error);
        }
      },
    );

    app.get<{ Params: { name: string } }>(
      "/projects/:name/releases",
      {
        schema: {
          summary: "The releases kept on the project's target in this environment, newest first, with colours",
          tags: ["deploys"],
          params: projectParams,
          response: {
            200: {
              type: "object",
              properties: {
                project: { type: "string" },
                environment: { type: "string" },
                hosts: { type: "array", items: openObject("host, active colour, colours, releases[]") },
              },
            },
            ...errorsWith(400, 404, 503),
          },
        },
      },
      async (request, reply) => {
        try {
          const project = requireProject(ctx.workspace, request.params.name);
          requireTarget(ctx.workspace, ctx.environment, project.name);
          const hosts = [];
          for (const view of targetViews(ctx.workspace, ctx.environment, project.name)) {
            const executor = createExecutor(view.host, { env: ctx.env });
            try {
              const v = await readReleases(view, executor);
              hosts.push({
                host: v.host,
                active: v.state.active ?? null,
                colors: v.state.colors,
                releases: v.releases,
              });
            } finally {
              await executor.close();
            }
          }
          return { project: project.name, environment: ctx.environment, hosts };
        } catch (error) {
          return sendError(reply, error);
        }
      },
    );

    app.register(async (mutating) => {
      mutating.addHook("onRequest", requireCredentials(ctx.auth));
      mutating.addHook("preValidation", async (request) => {
        request.body ??= {};
      });
      mutating.post<{ Params: { name: string }; Body: { to?: string; reason?: string } | undefined }>(
        "/projects/:name/rollback",
        {
          schema: {
            summary: "Roll back to the last known-good release (or `to`) on every host of the target",
            tags: ["deploys"],
            params: projectParams,
            security: MUTATING_SECURITY,
            body: {
              type: "object",
              additionalProperties: false,
              properties: {
                to: { type: "string", maxLength: 100, description: "a release id" },
                reason: { type: "string", maxLength: 200 },
              },
            },
            response: {
              200: {
                type: "object",
                properties: {
                  ok: { type: "boolean" },
                  records: { type: "array", items: openObject("a deploy record") },
                },
              },
              ...errorsWith(400, 401, 404, 409, 500),
            },
          },
        },
        async (request, reply) => {
          const executors = executorPool({ env: ctx.env });
          try {
            const project = requireProject(ctx.workspace, request.params.name);
            const records = await rollbackProject({
              workspace: ctx.workspace,
              environment: ctx.environment,
              project: project.name,
              to: request.body?.to,
              reason: request.body?.reason,
              who: `console:${operatorOf(request)}`,
              hostname: hostname(),
              command: `rollback ${project.name} ${ctx.environment} (console)`,
              ...(options.cli ? { tradeops: options.cli } : {}),
              executorFor: executors.executorFor,
            });
            for (const r of records)
              ctx.alert("rollback", `${r.project} rolled back on ${r.host}.`, r.project, {
                release: r.release ?? "",
                previous: r.previous ?? "",
                by: `console:${operatorOf(request)}`,
              });
            return { ok: true, records };
          } catch (error) {
            return sendError(reply, error);
          } finally {
            await executors.close();
          }
        },
      );
    });
  };
}
