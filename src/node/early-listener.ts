/**
 * Why: a trading node spends most of its start loading config schemas, the strategy and its data; liveness must
 * not wait for that. The node's port is bound first by a plain node:http server (no Fastify, nothing heavy loaded)
 * that answers level 1 (`/health`, `/livez`, the manifest's path) as alive and level 2 (`/readyz`, …) as 503
 * STARTING; when the service host is built it takes the same server over, so no request is ever refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { freemem, totalmem } from "node:os";
import type { ComponentReport } from "../health/registry.js";
import { level1Report, level2Report } from "../health/reports.js";
import type { SystemSnapshot } from "../health/system-monitor.js";

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface EarlyListenerOptions {
  readonly service: string;
  readonly executionMode: string;
  readonly host: string;
  readonly port: number;
  /** the manifest's level-1 and level-2 paths, answered besides /health, /livez, /health/detailed, /readyz */
  readonly paths?: { readonly level1?: string; readonly level2?: string };
  readonly now?: () => number;
}

export interface EarlyListener {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** how long binding took, and when it was bound (ms since the process started) */
  readonly bindMs: number;
  readonly boundAt: number;
  /** From now on every request goes to `handler` (the service host's router). */
  attach(handler: RequestHandler): void;
  close(): Promise<void>;
}

/** where a trading node listens: this machine only (a front proxy or a forwarded port reaches it) */
export const NODE_BIND_HOST = "127.0.0.1";

const LEVEL1 = ["/health", "/livez"];
const LEVEL2 = ["/health/detailed", "/readyz"];

/**
 * Binds the port and answers health from memory until `attach`.
 * @throws the listen error (EADDRINUSE, EACCES): the caller turns it into TRO_ERR_SERVICE_START
 */
export async function bindEarly(o: EarlyListenerOptions): Promise<EarlyListener> {
  const now = o.now ?? Date.now;
  const identity = { service: o.service, executionMode: o.executionMode, startedAt: now() };
  const level1 = new Set([...LEVEL1, ...(o.paths?.level1 ? [o.paths.level1] : [])]);
  const level2 = new Set([...LEVEL2, ...(o.paths?.level2 ? [o.paths.level2] : [])]);
  const starting = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const at = now();
    let status = 503;
    let body: unknown;
    if (level1.has(path)) {
      const total = totalmem();
      const free = freemem();
      const system: SystemSnapshot = {
        at,
        cpuPercent: 0,
        memoryPercent: Math.round(((total - free) / total) * 1000) / 10,
        memoryAvailableGb: Math.round((free / 1024 ** 3) * 100) / 100,
        loopDelayP99Ms: 0,
        heapUsedBytes: 0,
        heapLimitBytes: 0,
      };
      body = level1Report(identity, { alive: true, code: null }, system, at);
      status = 200;
    } else if (level2.has(path)) {
      const service: ComponentReport = {
        name: "service",
        status: "unhealthy",
        critical: true,
        error_code: "STARTING",
        readiness_checks: { initialized: false, accepting_work: false },
        sampledAt: undefined,
      };
      body = level2Report(identity, [service], at);
    } else {
      body = { ok: false, error: { code: "TRO_ERR_SERVICE_START", message: "the service is starting" } };
    }
    response.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...(status === 503 ? { "retry-after": "1" } : {}),
    });
    response.end(JSON.stringify(body));
  };
  let handler: RequestHandler = starting;
  const began = performance.now();
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const boundAt = performance.now();
  let closing: Promise<void> | undefined;
  return {
    server,
    host: o.host,
    port,
    bindMs: boundAt - began,
    boundAt,
    attach(next) {
      handler = next;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

const HANDED = Symbol.for("tradeops.node.early-listener");
type Holder = { [HANDED]?: EarlyListener };

/**
 * Leaves a bound listener for the node this process runs next (the CLI binds before it loads the command tree).
 * It does not keep the process alive: if the command fails before the node takes it, the process still exits.
 */
export function handEarly(listener: EarlyListener): void {
  listener.server.unref();
  (globalThis as Holder)[HANDED] = listener;
}

/** The mode liveness reports before the plan exists: `--mode`, else the environment's executionMode. */
export function earlyMode(
  settings: Readonly<Record<string, { readonly executionMode?: string } | undefined>>,
  environment: string,
  flag: string | undefined,
): string {
  return flag ?? settings[environment]?.executionMode ?? "paper";
}

/** The listener bound for this node, if one was handed over for the same address; closes one that was not. */
export async function takeEarly(host: string, port: number): Promise<EarlyListener | undefined> {
  const holder = globalThis as Holder;
  const early = holder[HANDED];
  delete holder[HANDED];
  if (!early) return undefined;
  if (early.host === host && (port === 0 || port === early.port)) {
    early.server.ref();
    return early;
  }
  await early.close();
  return undefined;
}
