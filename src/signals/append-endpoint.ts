/**
 * The local append endpoint a supervisor offers its services: `POST /signals/PROJECT` with NDJSON records and
 * `Authorization: Bearer TOKEN`, where the token is derived from the supervisor's key and the project, so a
 * service can write only its own chain. Any language with an HTTP client records signals this way.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isTroError, TroError } from "../errors.js";
import { type AppendResult, appendSignalLines, NDJSON_MAX_BYTES } from "./ndjson.js";
import type { SignalStore } from "./types.js";

/** The token of one project's chain: HMAC-SHA256 of the project under the endpoint's key. */
export function signalsTokenFor(key: string, project: string): string {
  return createHmac("sha256", key).update(`signals:${project}`).digest("hex");
}

export interface AppendEndpointOptions {
  /** the key tokens derive from */
  readonly key: string;
  /** whether the project may write here (a project of the workspace) */
  isProject(project: string): boolean;
  /** the store, opened on first use */
  store(): Promise<SignalStore>;
}

type Reply = { status: number; body: Record<string, unknown> };

function fail(error: unknown): Reply {
  if (isTroError(error))
    return { status: error.httpStatus, body: { ok: false, code: error.code, error: error.message } };
  return { status: 500, body: { ok: false, code: "TRO_ERR_INTERNAL", error: "append failed" } };
}

function authorized(header: string | undefined, expected: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "");
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > NDJSON_MAX_BYTES)
      throw new TroError("TRO_ERR_USAGE", `One append may carry at most ${NDJSON_MAX_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(req: IncomingMessage, options: AppendEndpointOptions): Promise<Reply> {
  const match = /^\/signals\/([a-z0-9][a-z0-9._-]*)$/.exec(req.url ?? "");
  if (!match) return { status: 404, body: { ok: false, error: "POST /signals/PROJECT" } };
  if (req.method !== "POST") return { status: 405, body: { ok: false, error: "POST /signals/PROJECT" } };
  const project = match[1]!;
  if (!options.isProject(project) || !authorized(req.headers.authorization, signalsTokenFor(options.key, project)))
    return fail(new TroError("TRO_ERR_CONTROL_UNAUTHORIZED", `No valid token for the signals of ${project}.`));
  try {
    const text = await readBody(req);
    const result: AppendResult = await appendSignalLines(await options.store(), project, text);
    return { status: 200, body: { ok: true, ...result } };
  } catch (error) {
    return fail(error);
  }
}

/** The request handler of the endpoint (the caller listens, on loopback only). */
export function createAppendHandler(
  options: AppendEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, options).then(({ status, body }) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(`${JSON.stringify(body)}\n`);
    });
  };
}
