/**
 * Server-Sent Events on a Fastify reply: the response is taken over (hijacked), events are written as they
 * come, a comment every few seconds keeps proxies from closing it, and the client leaving aborts the signal.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

/** A keep-alive comment this often. */
export const SSE_PING_MS = 15_000;

export interface EventStream {
  send(event: string, data: unknown): void;
  end(): void;
  /** aborted when the client goes away */
  readonly signal: AbortSignal;
}

export function openEventStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  raw.write(": connected\n\n");
  const abort = new AbortController();
  const ping = setInterval(() => raw.write(": ping\n\n"), SSE_PING_MS);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(ping);
    abort.abort();
    raw.end();
  };
  request.raw.on("close", end);
  return {
    send(event, data) {
      if (!ended) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end,
    signal: abort.signal,
  };
}
