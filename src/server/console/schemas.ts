/**
 * JSON Schemas of the console API: Fastify validates requests and serialises responses with them, and the
 * OpenAPI document at /docs is generated from them — one source for both.
 */
// the OpenAPI fields of route schemas (summary, tags, security, hide)
import type {} from "@fastify/swagger";
import type { FastifyReply } from "fastify";
import { isTroError } from "../../errors.js";

export const errorSchema = {
  type: "object",
  required: ["ok", "error"],
  properties: {
    ok: { type: "boolean", const: false },
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: "string" } },
    },
  },
} as const;

/** Error answers every route may give. */
export const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 500: errorSchema };
export const errorsWith = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, errorSchema])) as Record<number, typeof errorSchema>;

export const projectParams = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", maxLength: 100 } },
} as const;

const nullableString = { type: ["string", "null"] } as const;
const nullableNumber = { type: ["number", "null"] } as const;

export const projectSchema = {
  type: "object",
  required: ["name", "kind", "mode", "state", "health"],
  properties: {
    name: { type: "string" },
    kind: { type: "string", enum: ["service", "strategy", "frontend", "library"] },
    description: nullableString,
    port: nullableNumber,
    sendsOrders: { type: "boolean" },
    startable: { type: "boolean" },
    mode: { type: ["string", "null"], enum: ["PAPER", "LIVE", "BACKTEST", "SHADOW", null] },
    account: {
      type: ["object", "null"],
      properties: { broker: { type: "string" }, mode: { type: "string" }, name: nullableString, id: nullableString },
    },
    state: { type: "string" },
    release: nullableString,
    color: nullableString,
    pid: nullableNumber,
    uptimeSeconds: nullableNumber,
    restarts: { type: "number" },
    health: {
      type: "object",
      properties: { level1: { type: "string" }, level2: { type: "string" } },
    },
    killSwitch: {
      type: ["object", "null"],
      properties: {
        state: { type: "string" },
        reason: { type: "string" },
        at: { type: "string" },
        by: { type: "string" },
      },
    },
    lastFailure: nullableString,
    instances: { type: "array", items: { type: "string" } },
  },
} as const;

/** An object whose fields are documented in prose (open shape, passed through unchanged). */
export const openObject = (description: string) =>
  ({ type: "object", description, additionalProperties: true }) as const;

export const signalRecordSchema = {
  type: "object",
  properties: {
    seq: { type: "integer" },
    time: { type: "string" },
    environment: { type: "string" },
    project: { type: "string" },
    release: { type: "string" },
    configHash: { type: "string" },
    strategy: { type: "string" },
    kind: { type: "string" },
    payload: {},
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
} as const;

/** Answers a failure: a TroError with its status, code, sentence and hint; anything else as an internal error. */
export function sendError(reply: FastifyReply, error: unknown) {
  reply.header("cache-control", "no-store");
  if (isTroError(error)) {
    return reply.code(error.httpStatus).send({
      ok: false,
      error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    });
  }
  return reply.code(500).send({ ok: false, error: { code: "TRO_ERR_INTERNAL", message: "internal error" } });
}
