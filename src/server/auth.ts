/**
 * Who may call what: control routes need the bearer token, compared in constant time; level 3 answers
 * loopback callers that did not come through a proxy, and anyone else only with the token.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";

/** A token given as a string or as a secret that reveals its value only when asked. */
export type TokenSource = string | { reveal(): string };

/** The token's value, or undefined when none is configured (an empty token counts as none). */
export function tokenValue(source: TokenSource | undefined): string | undefined {
  const value = typeof source === "string" ? source : source?.reveal();
  return value ? value : undefined;
}

/** True when the `Authorization: Bearer …` header carries `expected`; no timing difference on mismatch. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const presented = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? "")?.[1] ?? "";
  // equal-length digests: neither the length nor a matching prefix shows in the timing
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** A caller on this machine, not relayed by a proxy (a front proxy must add X-Forwarded-For or Forwarded). */
export function isLocalCaller(request: FastifyRequest): boolean {
  if (request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined) return false;
  return LOOPBACK.test(request.socket.remoteAddress ?? "");
}
