/**
 * Mutating routes: halt and resume (the kill switch), start, stop and restart of supervised services. Each
 * needs the console token or basic auth. A strategy bound to a live account passes the account guards first,
 * as `tradeops accounts check` runs them; a refusal changes nothing.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { checkAccount } from "../../../accounts/check.js";
import { resolveConfig } from "../../../config/load.js";
import { TroError } from "../../../errors.js";
import { requireProject } from "../../../workspace/lookup.js";
import type { Project } from "../../../workspace/types.js";
import { MUTATING_SECURITY, operatorOf, requireCredentials } from "../auth.js";
import type { ConsoleContext } from "../context.js";
import { projectView, servingInstance } from "../projects.js";
import { errorsWith, openObject, projectParams, projectSchema, sendError } from "../schemas.js";
import { switchTrading } from "../trading-switch.js";

export const MAX_REASON_LENGTH = 200;

const reasonBody = {
  type: "object",
  properties: {
    reason: {
      type: "string",
      minLength: 1,
      maxLength: MAX_REASON_LENGTH,
      pattern: "^[^\\u0000-\\u001f\\u007f]+$",
      description: "why (recorded in the kill-switch file and the signal log)",
    },
  },
  additionalProperties: false,
} as const;

const switchResponse = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    project: { type: "string" },
    environment: { type: "string" },
    state: { type: "string", enum: ["halted", "active"] },
    reason: { type: "string" },
    by: { type: "string" },
    service: openObject("whether the running service answered: reached, state, detail"),
  },
} as const;

type Named = FastifyRequest<{ Params: { name: string }; Body: { reason?: string } | undefined }>;

/** Whether changing this project can put real money at risk: a strategy bound to a live account here. */
function tradesLive(ctx: ConsoleContext, project: Project): boolean {
  return project.kind === "strategy" && project.accounts[ctx.environment]?.mode === "live";
}

/** The account guards, as the CLI runs them. @throws TroError TRO_ERR_GUARD_REFUSED and the check's own errors */
async function ensureGuards(ctx: ConsoleContext, project: Project): Promise<void> {
  if (!tradesLive(ctx, project)) return;
  const config = await resolveConfig({
    workspace: ctx.workspace,
    project: project.name,
    environment: ctx.environment,
    env: ctx.env,
  });
  await checkAccount({
    workspace: ctx.workspace,
    project: project.name,
    environment: ctx.environment,
    env: ctx.env,
    config: config.value?.values ?? config.merged,
  });
}

export function controlRoutes(ctx: ConsoleContext) {
  return async (app: FastifyInstance) => {
    app.addHook("onRequest", requireCredentials(ctx.auth));
    // a POST without a body is a request without a reason, not a malformed one
    app.addHook("preValidation", async (request) => {
      request.body ??= {};
    });
    const common = { params: projectParams, security: MUTATING_SECURITY };

    const flip = (state: "halted" | "active") => async (request: Named, reply: import("fastify").FastifyReply) => {
      try {
        const project = requireProject(ctx.workspace, request.params.name);
        if (state === "active") await ensureGuards(ctx, project);
        const port = servingInstance(ctx.status.current(), project.name)?.port ?? project.port;
        const reason = request.body?.reason ?? (state === "halted" ? "operator" : "operator resume");
        const outcome = await switchTrading(ctx, project, state, reason, `console:${operatorOf(request)}`, port);
        ctx.overview.invalidate();
        return reply.header("cache-control", "no-store").send({ ok: true, ...outcome });
      } catch (error) {
        return sendError(reply, error);
      }
    };
    app.post(
      "/projects/:name/halt",
      {
        schema: {
          summary: "Halt trading (the kill switch): no new orders until resumed",
          tags: ["control"],
          ...common,
          body: reasonBody,
          response: { 200: switchResponse, ...errorsWith(400, 401, 404) },
        },
      },
      flip("halted"),
    );
    app.post(
      "/projects/:name/resume",
      {
        schema: {
          summary: "Resume trading (a live account passes the account guards first)",
          tags: ["control"],
          ...common,
          body: reasonBody,
          response: { 200: switchResponse, ...errorsWith(400, 401, 404, 409, 503) },
        },
      },
      flip("active"),
    );

    const lifecycle =
      (action: "start" | "stop" | "restart") => async (request: Named, reply: import("fastify").FastifyReply) => {
        try {
          const project = requireProject(ctx.workspace, request.params.name);
          if (!project.commands.start)
            throw new TroError("TRO_ERR_USAGE", `Project ${project.name} has no start command.`, {
              hint: `Declare projects.${project.name}.commands.start in tradeops.yaml.`,
            });
          if (action !== "stop") await ensureGuards(ctx, project);
          if (action === "start") await ctx.supervisor.start({ project: project.name, orders: true }, ctx.env);
          else if (action === "stop") await ctx.supervisor.stop({ project: project.name });
          else await ctx.supervisor.restart({ project: project.name }, ctx.env);
          const status = await ctx.status.refresh();
          return reply
            .header("cache-control", "no-store")
            .send(projectView(ctx.workspace, ctx.environment, status, project));
        } catch (error) {
          return sendError(reply, error);
        }
      };
    for (const action of ["start", "stop", "restart"] as const) {
      app.post(
        `/projects/:name/${action}`,
        {
          schema: {
            summary: `${action[0]!.toUpperCase()}${action.slice(1)} the project's supervised service`,
            tags: ["control"],
            ...common,
            response: { 200: projectSchema, ...errorsWith(400, 401, 404, 409, 503) },
          },
        },
        lifecycle(action),
      );
    }
  };
}
