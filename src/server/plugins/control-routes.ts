/**
 * POST /control/halt and /control/resume drive the trading-state switch the runtime injected. The bearer
 * token is checked before anything else, in constant time; without a configured token the routes refuse
 * everyone. Resuming while the service drains is refused: draining means no new work.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isTroError } from "../../errors.js";
import { bearerMatches, tokenValue } from "../auth.js";
import type { HostContext, TradingControls } from "../context.js";
import { httpMetricsHook } from "./metrics.js";

export const MAX_REASON_LENGTH = 200;

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).header("cache-control", "no-store").send({ ok: false, error: { code, message } });
}

function reasonOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return "operator";
  const reason = (body as { reason?: unknown }).reason;
  if (reason === undefined) return "operator";
  const printable = typeof reason === "string" && [...reason].every((ch) => ch >= " " && ch !== "\u007f");
  return printable && reason.length > 0 && reason.length <= MAX_REASON_LENGTH ? reason : undefined;
}

/** Registers the control routes over `controls`; a caller without the token gets 401 and nothing happens. */
export function controlRoutes(ctx: HostContext, controls: TradingControls) {
  return async (app: FastifyInstance) => {
    httpMetricsHook(app, ctx);
    app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
      const token = tokenValue(ctx.controlToken);
      if (!token) {
        return refuse(
          reply,
          401,
          "TRO_ERR_CONTROL_UNAUTHORIZED",
          "control is disabled: no control token is configured",
        );
      }
      if (!bearerMatches(request.headers.authorization, token)) {
        ctx.logger.warn({ route: request.url }, "control request refused: missing or wrong token");
        return refuse(
          reply,
          401,
          "TRO_ERR_CONTROL_UNAUTHORIZED",
          "a valid control token is required (Authorization: Bearer …)",
        );
      }
    });
    // a caller that says which instance it means is refused by any other: one workspace never halts another's bot
    app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
      const expect = (request.body as { expect?: Record<string, unknown> } | undefined)?.expect;
      const mine = ctx.identity.instance as unknown as Record<string, unknown> | undefined;
      if (!expect || typeof expect !== "object") return;
      const wrong = Object.entries(expect).filter(([k, v]) => v !== undefined && v !== "" && mine?.[k] !== v);
      if (wrong.length === 0) return;
      const detail = wrong.map(([k, v]) => `${k} ${JSON.stringify(mine?.[k] ?? null)}, not ${JSON.stringify(v)}`);
      return refuse(reply, 409, "TRO_ERR_INSTANCE_MISMATCH", `this is another instance: ${detail.join("; ")}`);
    });
    const act = async (reply: FastifyReply, action: "halt" | "resume", run: () => Promise<void> | void) => {
      try {
        await run();
      } catch (error) {
        if (isTroError(error)) return refuse(reply, error.httpStatus, error.code, error.message);
        ctx.logger.error({ action }, "the trading switch failed");
        return refuse(reply, 500, "TRO_ERR_INTERNAL", `the trading switch failed to ${action}`);
      }
      ctx.logger.info({ action }, `trading ${action === "halt" ? "halted" : "resumed"} through the control API`);
      if (action === "halt") ctx.metrics.recordHalt("http");
      else ctx.metrics.recordResume();
      const state = controls.state?.().state ?? (action === "halt" ? "halted" : "active");
      const instance = ctx.identity.instance;
      return reply
        .header("cache-control", "no-store")
        .send({ ok: true, action, state, ...(instance ? { instance } : {}) });
    };
    app.post("/control/halt", async (request, reply) => {
      const reason = reasonOf(request.body);
      if (reason === undefined) {
        return refuse(
          reply,
          400,
          "TRO_ERR_USAGE",
          `reason must be printable text of 1 to ${MAX_REASON_LENGTH} characters`,
        );
      }
      return act(reply, "halt", () => controls.halt({ reason, source: "http" }));
    });
    app.post("/control/resume", async (_request, reply) => {
      if (!ctx.lifecycle.acceptingWork) {
        return refuse(
          reply,
          409,
          "TRO_ERR_TRADING_HALTED",
          "the service is not accepting work (starting or shutting down); trading stays halted",
        );
      }
      return act(reply, "resume", () => controls.resume({ source: "http" }));
    });
  };
}
