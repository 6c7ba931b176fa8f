/**
 * Who may change things through the console: a bearer token (compared in constant time) or basic auth
 * checked against a bcrypt hash. Without either configured, every mutating route refuses everyone. Reads
 * are open on loopback and need the same credentials when the console listens beyond it.
 */
import bcrypt from "bcryptjs";
import type { FastifyReply, FastifyRequest } from "fastify";
import { bearerMatches, tokenValue } from "../auth.js";
import type { ConsoleAuth } from "./context.js";

export const UNAUTHORIZED = "TRO_ERR_CONTROL_UNAUTHORIZED";

/** The OpenAPI security requirement of every mutating route. */
export const MUTATING_SECURITY: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { basicAuth: [] }];

/** True when the request carries a valid token or basic credentials; the user it names, for records. */
export async function authenticate(auth: ConsoleAuth, header: string | undefined): Promise<string | undefined> {
  const token = tokenValue(auth.token);
  if (token && /^Bearer\s/i.test(header ?? "") && bearerMatches(header, token)) return "token";
  const basic = /^Basic[ \t]+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "")?.[1];
  if (auth.basic && basic) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // the hash is compared even for a wrong user name, so the timing does not tell names apart
    const ok = await bcrypt.compare(password, auth.basic.hash).catch(() => false);
    if (colon > 0 && ok && user === auth.basic.user) return user;
  }
  return undefined;
}

/** Whether any credential is configured at all. */
export function hasCredentials(auth: ConsoleAuth): boolean {
  return Boolean(tokenValue(auth.token) || auth.basic);
}

/** An onRequest hook refusing callers without credentials (401, with the challenge a browser understands). */
export function requireCredentials(auth: ConsoleAuth) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const who = hasCredentials(auth) ? await authenticate(auth, request.headers.authorization) : undefined;
    if (who) {
      (request as FastifyRequest & { operator?: string }).operator = who;
      return;
    }
    const message = hasCredentials(auth)
      ? "a valid console token (Authorization: Bearer …) or user and password is required"
      : "changes are disabled: no console token or password hash is configured";
    return reply
      .code(401)
      .header("cache-control", "no-store")
      .header("www-authenticate", 'Bearer realm="tradeops"')
      .send({ ok: false, error: { code: UNAUTHORIZED, message } });
  };
}

/** The operator a request authenticated as (`token` or the basic user); `console` when reads are open. */
export function operatorOf(request: FastifyRequest): string {
  return (request as FastifyRequest & { operator?: string }).operator ?? "console";
}

/** Cost of a new hash: ~50 ms a check on a laptop, slow enough to make guessing expensive. */
export const BCRYPT_ROUNDS = 11;

/** A bcrypt hash of `password`, for TRADEOPS_CONSOLE_PASSWORD_HASH. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}
