/**
 * The console's Fastify app: the API under /api/v1 (plugins over the library), its OpenAPI document generated
 * from the route schemas at /docs, the dashboard's files at /, and backtest reports at /reports. It does not
 * listen (`startConsole` does; tests use `app.inject()`).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type {} from "@fastify/swagger";
import type { FastifyError, FastifyInstance } from "fastify";
import { TroError } from "../../errors.js";
import type { ConsoleContext } from "./context.js";
import { backtestRoutes } from "./routes/backtests.js";
import { controlRoutes } from "./routes/control.js";
import { deployRoutes } from "./routes/deploys.js";
import { projectRoutes } from "./routes/projects.js";
import { signalRoutes } from "./routes/signals.js";
import { sendError } from "./schemas.js";
import { createSignalReader, type SignalReader } from "./signal-reader.js";

// loaded from node_modules at run time, like the service host's Fastify: the swagger UI serves files from
// its own package directory, which a bundle would not have
const load = createRequire(import.meta.url);
const Fastify = load("fastify") as typeof import("fastify").default;

export const API_PREFIX = "/api/v1";
/** Requests carry a reason or a backtest request; nothing bigger is parsed. */
export const CONSOLE_BODY_LIMIT = 16 * 1024;

export interface ConsoleAppOptions {
  /** argv of the CLI (rollbacks through the supervisor) */
  readonly cli?: readonly string[];
  /** the version shown in the OpenAPI document */
  readonly version?: string;
}

export interface ConsoleApp {
  readonly app: FastifyInstance;
  readonly signals: SignalReader;
}

/** The app for one console (routes registered, not listening). */
export async function buildConsoleApp(ctx: ConsoleContext, options: ConsoleAppOptions = {}): Promise<ConsoleApp> {
  const app = Fastify({ logger: false, bodyLimit: CONSOLE_BODY_LIMIT, return503OnClosing: false });
  const signals = createSignalReader(ctx);
  app.addHook("onClose", () => signals.close());
  app.setNotFoundHandler((_request, reply) =>
    sendError(reply.code(404), new TroError("TRO_ERR_NOT_FOUND", "There is no such route.")),
  );
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const message = status === 500 ? "internal error" : error.validation ? error.message : "the request is malformed";
    const code = status === 500 ? "TRO_ERR_INTERNAL" : "TRO_ERR_USAGE";
    return reply.code(status).header("cache-control", "no-store").send({ ok: false, error: { code, message } });
  });
  app.addHook("onRequest", (_request, reply, done) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    done();
  });
  await app.register(load("@fastify/swagger"), {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "tradeops console API",
        version: options.version ?? "1",
        description: `The desk console of workspace ${ctx.workspace.name} in ${ctx.environment}. Reads are open on loopback; every mutating route needs the console token (Bearer) or basic auth.`,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer" },
          basicAuth: { type: "http", scheme: "basic" },
        },
      },
    },
  });
  await app.register(load("@fastify/swagger-ui"), { routePrefix: "/docs", uiConfig: { deepLinking: false } });

  await app.register(
    async (api) => {
      if (ctx.auth.protectReads) {
        const { requireCredentials } = await import("./auth.js");
        api.addHook("onRequest", requireCredentials(ctx.auth));
      }
      await api.register(projectRoutes(ctx));
      await api.register(signalRoutes(ctx, signals));
      await api.register(deployRoutes(ctx, { cli: options.cli }));
      await api.register(backtestRoutes(ctx));
      await api.register(controlRoutes(ctx));
    },
    { prefix: API_PREFIX },
  );

  app.get<{ Params: { id: string } }>(
    "/reports/:id.html",
    {
      schema: {
        hide: true,
        params: { type: "object", properties: { id: { type: "string", pattern: "^[0-9]{14}-[0-9]+$" } } },
      },
    },
    async (request, reply) => {
      const path = ctx.backtests.reportPath(request.params.id);
      if (!path || !existsSync(path))
        return sendError(reply, new TroError("TRO_ERR_NOT_FOUND", "There is no such report."));
      return reply.type("text/html; charset=utf-8").send(readFileSync(path));
    },
  );
  registerDashboard(app, ctx.dashboardDir);
  return { app, signals };
}

/** The built dashboard: index.html at / and its hashed assets, cached for a year (their names change). */
function registerDashboard(app: FastifyInstance, dir: string | undefined): void {
  const index = dir && existsSync(join(dir, "index.html")) ? readFileSync(join(dir, "index.html")) : undefined;
  app.get("/", { schema: { hide: true } }, async (_request, reply) => {
    if (!index)
      return reply
        .type("text/plain; charset=utf-8")
        .send("The dashboard is not built: run `npm run build` (the API is at /api/v1, its docs at /docs).\n");
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(index);
  });
  if (dir && index) {
    app.register(load("@fastify/static"), {
      root: join(dir, "assets"),
      prefix: "/assets/",
      immutable: true,
      maxAge: "365d",
    });
  }
}
