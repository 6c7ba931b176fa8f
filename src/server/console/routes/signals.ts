/**
 * The signal log: search (paged newest first, filtered by project, kind, time and text), a live stream as
 * Server-Sent Events, export (CSV or JSON lines, streamed) and verify of the hash chains.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CSV_HEADER, recordToCsv, recordToJsonLine } from "../../../signals/export.js";
import { SIGNAL_KINDS } from "../../../signals/types.js";
import type { ConsoleContext } from "../context.js";
import { errorsWith, openObject, sendError, signalRecordSchema } from "../schemas.js";
import { isMissingStore, MAX_PAGE, type SignalQuery, type SignalReader, viewOf } from "../signal-reader.js";
import { openEventStream } from "../sse.js";

const projectFilter = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", maxLength: 100 } as const;
const time = { type: "string", format: "date-time" } as const;

export function signalRoutes(ctx: ConsoleContext, reader: SignalReader) {
  return async (app: FastifyInstance) => {
    const empty = (reply: FastifyReply, error: unknown, fallback: object) =>
      isMissingStore(error) ? reply.send({ ...fallback, note: (error as Error).message }) : sendError(reply, error);

    app.get<{ Querystring: SignalQuery }>(
      "/signals",
      {
        schema: {
          summary: "Search the signal log, newest first",
          tags: ["signals"],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              project: projectFilter,
              kind: { type: "string", enum: [...SIGNAL_KINDS, "checkpoint"] },
              q: { type: "string", maxLength: 200, description: "text the payload, strategy or release contains" },
              from: time,
              to: time,
              before: { type: "integer", minimum: 1, description: "the nextBefore of the previous page" },
              limit: { type: "integer", minimum: 1, maximum: MAX_PAGE, default: 100 },
            },
          },
          response: {
            200: {
              type: "object",
              properties: {
                environment: { type: "string" },
                store: { type: "string" },
                records: { type: "array", items: signalRecordSchema },
                nextBefore: { type: ["integer", "null"] },
                note: { type: "string" },
              },
            },
            ...errorsWith(400, 503),
          },
        },
      },
      async (request, reply) => {
        try {
          return { environment: ctx.environment, ...(await reader.search(request.query)) };
        } catch (error) {
          return empty(reply, error, { environment: ctx.environment, store: "", records: [], nextBefore: null });
        }
      },
    );

    app.get<{ Querystring: { project?: string } }>(
      "/signals/verify",
      {
        schema: {
          summary: "Verify the hash chains: any change, deletion, insertion or reordering is named",
          tags: ["signals"],
          querystring: { type: "object", additionalProperties: false, properties: { project: projectFilter } },
          response: { 200: openObject("environment, store, chains[] with ok and firstBad"), ...errorsWith(400, 503) },
        },
      },
      async (request, reply) => {
        try {
          return await reader.verify(request.query.project);
        } catch (error) {
          return empty(reply, error, { environment: ctx.environment, chains: [] });
        }
      },
    );

    app.get<{ Querystring: { project?: string; format?: "csv" | "jsonl" } }>(
      "/signals/export",
      {
        schema: {
          summary: "Export records as CSV or JSON lines (oldest first)",
          tags: ["signals"],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { project: projectFilter, format: { type: "string", enum: ["csv", "jsonl"], default: "csv" } },
          },
          response: { 200: { type: "string", description: "the records" }, ...errorsWith(400, 503) },
        },
      },
      async (request, reply) => {
        const csv = request.query.format !== "jsonl";
        const lines: string[] = csv ? [CSV_HEADER] : [];
        try {
          for await (const page of reader.all(request.query.project))
            for (const r of page) lines.push(csv ? recordToCsv(r) : recordToJsonLine(r));
        } catch (error) {
          if (!isMissingStore(error)) return sendError(reply, error);
        }
        const name = `signals-${ctx.environment}${request.query.project ? `-${request.query.project}` : ""}`;
        return reply
          .type(csv ? "text/csv; charset=utf-8" : "application/x-ndjson")
          .header("content-disposition", `attachment; filename="${name}.${csv ? "csv" : "jsonl"}"`)
          .send(`${lines.join("\n")}\n`);
      },
    );

    app.get<{ Querystring: { project?: string } }>(
      "/signals/stream",
      {
        schema: {
          summary: "New records as they are appended (Server-Sent Events, event `signal`)",
          tags: ["signals"],
          querystring: { type: "object", additionalProperties: false, properties: { project: projectFilter } },
          produces: ["text/event-stream"],
          response: { 200: { type: "string", description: "text/event-stream" } },
        },
      },
      (request: FastifyRequest<{ Querystring: { project?: string } }>, reply) => {
        const stream = openEventStream(request, reply);
        void (async () => {
          try {
            for await (const batch of reader.follow({ project: request.query.project, signal: stream.signal }))
              for (const r of batch) stream.send("signal", viewOf(r));
          } catch (error) {
            stream.send("error", { message: isMissingStore(error) ? "no signal store yet" : "the stream failed" });
          } finally {
            stream.end();
          }
        })();
      },
    );
  };
}
