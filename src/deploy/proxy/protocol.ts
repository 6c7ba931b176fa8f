/**
 * What the front proxy's processes say to each other and to tradeops: the route, the status its control channel
 * answers, and the messages between its keeper (which owns the public socket) and its workers (which forward).
 * Kept free of Node imports beyond types (and `tell`, the keeper's one way to send) so control.ts and the proxy
 * program share one definition.
 */
import type { ChildProcess } from "node:child_process";
import type { Server } from "node:net";
import type { Color } from "../types.js";

export interface ProxyRoute {
  readonly color: Color;
  readonly port: number;
  readonly release: string;
  readonly seq: number;
  readonly switchedAt: string;
}

/** `running`: a worker serves; `restarting`: a worker died and the next starts after a backoff (the socket stays open). */
export type ProxyState = "running" | "restarting" | "stopping";

export interface ProxyStatus {
  readonly version: string;
  /** the keeper's pid: stopping it stops the proxy */
  readonly pid: number;
  /** the worker that forwards requests now (0 while none runs) */
  readonly workerPid: number;
  readonly state: ProxyState;
  readonly port: number;
  readonly host: string;
  readonly route: ProxyRoute | null;
  readonly startedAt: string;
  readonly uptimeMs: number;
  /** workers started after the first one: crashes and graceful restarts */
  readonly restarts: number;
  readonly crashes: number;
  readonly lastExit: string | null;
  /** a switch not yet confirmed: traffic returns to `fallback` unless the deploy renews it before `expiresAt` */
  readonly guard: ProxyGuard | null;
  /** when the proxy last returned traffic on its own, and why */
  readonly lastRevert: string | null;
  readonly inflight: Record<string, number>;
}

/** Where traffic goes back to when the deploy that switched it stops renewing (it died after the switch). */
export interface ProxyGuard {
  readonly release: string;
  readonly fallback: { readonly color: Color; readonly port: number; readonly release: string };
  readonly expiresAt: string;
}

/** What `proxy.json` (0600) holds: how tradeops reaches the control channel. */
export interface ProxyInfo {
  readonly pid: number;
  readonly port: number;
  readonly host: string;
  readonly controlPort: number;
  readonly token: string;
  readonly version: string;
  readonly startedAt: string;
}

/** keeper → worker */
export type ToWorker =
  | {
      readonly type: "listen";
      readonly route: ProxyRoute | null;
      /** what a worker left without its keeper needs to start the next keeper on the same socket */
      readonly dir: string;
      readonly port: number;
      readonly host: string;
    }
  | { readonly type: "route"; readonly id: number; readonly route: ProxyRoute }
  | { readonly type: "inflight"; readonly id: number }
  | { readonly type: "forget"; readonly port: number }
  | { readonly type: "drain"; readonly timeoutMs: number };

/** worker → keeper */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "ack"; readonly id: number }
  | { readonly type: "inflight"; readonly id: number; readonly counts: Record<string, number> };

/** A keeper started by a worker whose keeper died finds the public socket on this descriptor (it never rebinds). */
export const INHERITED_SOCKET_FD = 3;
/** The environment variables that tell such a keeper the socket's descriptor and the orphaned worker to retire. */
export const ENV_SOCKET_FD = "TRADEOPS_PROXY_SOCKET_FD";
export const ENV_RETIRE_PID = "TRADEOPS_PROXY_RETIRE_PID";

/** The proxy's delays, overridable by the keeper's environment (tests shorten them). */
export interface ProxyTimings {
  /** first restart delay after a crash; doubles per crash in a row up to `backoffMaxMs` */
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  /** a worker up this long resets the backoff */
  readonly stableMs: number;
  /** how long a replaced worker may finish its in-flight requests */
  readonly drainMs: number;
  /** how long a new worker has to say it is ready */
  readonly readyMs: number;
}

export const DEFAULT_TIMINGS: ProxyTimings = {
  backoffMs: 50,
  backoffMaxMs: 5_000,
  stableMs: 10_000,
  drainMs: 30_000,
  readyMs: 10_000,
};

/**
 * A message to a worker; false when its channel is closed. A worker may die between two lines: a failed send is
 * reported to the callback (never thrown), and the worker's exit is handled where it is seen.
 */
export function tell(child: ChildProcess, message: ToWorker, handle?: Server): boolean {
  if (!child.connected) return false;
  try {
    return child.send(message, handle, () => undefined);
  } catch {
    return false;
  }
}
