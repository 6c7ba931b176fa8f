/**
 * Driving a target's front proxy through its executor: make sure it runs (copying the shipped program and starting
 * its keeper detached; the keeper restarts crashed workers itself), ask its status, switch its route, wait for a
 * colour to drain, restart it gracefully, stop it with one call. Every call goes over the proxy's control channel
 * (through the executor's forward) or is a plain command, so a remote proxy is driven exactly like a local one.
 */
import { posix } from "node:path";
import { TroError } from "../../errors.js";
import { type Executor, ensureOk, tail } from "../../exec/command.js";
import { DRAIN_TIMEOUT_MS, PROXY_START_TIMEOUT_MS } from "../constants.js";
import type { TargetLayout } from "../layout.js";
import { aliveCommand, detachCommand, stopCommand, tailCommand } from "../process-commands.js";
import type { TargetFiles } from "../target-files.js";
import type { Color } from "../types.js";
import { frontProxyProgram } from "./program.js";
import type { ProxyInfo, ProxyRoute, ProxyStatus } from "./protocol.js";

export type { ProxyRoute, ProxyStatus } from "./protocol.js";

const POLL_MS = 50;
/** How long `stop` lets the proxy finish in-flight requests before its processes are killed. */
const STOP_GRACE_SECONDS = 15;

export interface ProxyControl {
  /** the proxy's status, or undefined when none answers */
  status(): Promise<ProxyStatus | undefined>;
  /** starts the proxy unless one answers on the right port (restarting it gracefully onto newer code); its status */
  ensure(): Promise<ProxyStatus>;
  /**
   * Points the public port at a colour, in one step; returns the route it replaced. With a guard, the switch is
   * unconfirmed: unless `renew` or `confirm` comes within `leaseMs`, the proxy returns traffic to the fallback.
   */
  switchTo(color: Color, port: number, release: string, guard?: SwitchGuard): Promise<ProxyRoute | null>;
  /** keeps an unconfirmed switch's guard alive for another `leaseMs` (the deploy that made it still runs) */
  renew(leaseMs: number): Promise<void>;
  /** the switch to `release` passed its checks: its guard ends. Throws when the proxy already returned traffic. */
  confirm(release: string): Promise<void>;
  /** waits until no request is in flight on a port the proxy no longer routes to */
  drain(port: number, timeoutMs?: number): Promise<{ drained: boolean; remaining: number }>;
  /** replaces the proxy's worker without refusing a connection: the new one listens before the old one drains */
  restart(): Promise<ProxyStatus>;
  /** stops the proxy for good: in-flight requests finish, then every proxy process exits */
  stop(): Promise<void>;
}

export interface ProxyControlOptions {
  readonly files: TargetFiles;
  readonly layout: TargetLayout;
  readonly publicPort: number;
  /** the address the public port binds: loopback for `local` targets, every interface on servers */
  readonly bindHost: string;
  /** the node binary on the target */
  readonly node: string;
}

export interface SwitchGuard {
  readonly fallback: { readonly color: Color; readonly port: number; readonly release: string };
  readonly leaseMs: number;
}

/** What `tradeops target proxy` shows of a proxy. */
export interface ProxySummary {
  /** `stopped` when no proxy answers */
  readonly state: ProxyStatus["state"] | "stopped";
  readonly pid: number | null;
  readonly workerPid: number | null;
  readonly port: number | null;
  readonly activeColor: Color | null;
  readonly release: string | null;
  readonly uptimeMs: number | null;
  readonly restarts: number;
  readonly crashes: number;
  readonly lastExit: string | null;
  /** an unconfirmed switch and where traffic returns when it expires */
  readonly guard: ProxyStatus["guard"];
  readonly lastRevert: string | null;
  readonly version: string | null;
}

/** The route a proxy keeps in its directory (`route.json`): the one it comes back on when it starts again. */
export async function keptRoute(files: TargetFiles, layout: TargetLayout): Promise<ProxyRoute | null> {
  return (await files.readJson<ProxyRoute>(posix.join(layout.proxyDir, "route.json")).catch(() => undefined)) ?? null;
}

/** The proxy of one target and project. */
export function proxyControl(options: ProxyControlOptions): ProxyControl {
  const { files, layout } = options;
  const executor: Executor = files.executor;
  const infoFile = posix.join(layout.proxyDir, "proxy.json");
  /**
   * A control request over HTTP, through the executor's forward of the proxy's loopback control port (the same port
   * on this machine); the token is read from the 0600 proxy.json. Undefined when no proxy answers.
   */
  const call = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T | undefined> => {
    const info = await files.readJson<ProxyInfo>(infoFile).catch(() => undefined);
    if (!info?.controlPort) return undefined;
    const forward = await executor.forward(info.controlPort);
    try {
      const res = await fetch(`http://127.0.0.1:${forward.localPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${info.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(DRAIN_TIMEOUT_MS * 2),
      });
      const text = await res.text();
      if (!res.ok)
        throw new TroError(
          "TRO_ERR_TARGET_UNAVAILABLE",
          `The front proxy on ${executor.host} refused ${path}: ${text.slice(0, 200)}`,
          { hint: "Check its log (shared/logs/front-proxy.log on the target); the next deploy restarts it." },
        );
      return JSON.parse(text) as T;
    } catch (error) {
      if (error instanceof TroError) throw error;
      return undefined;
    } finally {
      await forward.close();
    }
  };
  const start = async (): Promise<ProxyStatus> => {
    const log = posix.join(layout.logsDir, "front-proxy.log");
    const argv = [options.node, layout.proxyProgram, "serve", layout.proxyDir, String(options.publicPort)];
    ensureOk(
      await executor.run({ argv: detachCommand({ log, dir: layout.proxyDir, argv: [...argv, options.bindHost] }) }),
      "start the front proxy",
      executor,
    );
    const deadline = Date.now() + PROXY_START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const status = await control.status();
      if (status && status.port === options.publicPort && (await isAlive(executor, status.pid))) return status;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const why = tail((await executor.run({ argv: tailCommand(log, 5) })).stdout, 3);
    throw new TroError(
      "TRO_ERR_TARGET_UNAVAILABLE",
      `The front proxy on port ${options.publicPort} did not start on ${executor.host}.`,
      { hint: `Is the port taken by another process? Its log says: ${why || "nothing"}` },
    );
  };
  const control: ProxyControl = {
    status: () => call<ProxyStatus>("GET", "/status"),
    ensure: async () => {
      const program = frontProxyProgram();
      if ((await files.read(layout.proxyProgram)) !== program.text)
        await files.write(layout.proxyProgram, program.text);
      const current = await control.status();
      if (current && current.port === options.publicPort && current.workerPid !== undefined) {
        // older proxy code: its next worker runs the program just copied, without refusing a connection
        if (current.version !== program.version && current.state === "running") return control.restart();
        return current;
      }
      if (current) await control.stop();
      return start();
    },
    switchTo: async (color, port, release, guard) => {
      const result = await call<{ previous: ProxyRoute | null }>("POST", "/switch", { color, port, release, guard });
      if (!result) {
        throw new TroError(
          "TRO_ERR_TARGET_UNAVAILABLE",
          `The front proxy on ${executor.host} did not answer the switch to ${color}.`,
          { hint: "Nothing was switched; the next deploy restarts the proxy and recovers." },
        );
      }
      return result.previous;
    },
    drain: async (port, timeoutMs = DRAIN_TIMEOUT_MS) =>
      (await call<{ drained: boolean; remaining: number }>("POST", "/drain", { port, timeoutMs })) ?? {
        drained: false,
        remaining: -1,
      },
    renew: async (leaseMs) => {
      await call("POST", "/renew", { leaseMs });
    },
    confirm: async (release) => {
      try {
        await call("POST", "/confirm", { release });
      } catch (error) {
        const route = (await control.status().catch(() => undefined))?.route;
        throw new TroError(
          "TRO_ERR_DEPLOY_FAILED",
          `The front proxy on ${executor.host} no longer routes to ${release} (it serves ${route?.release ?? "nothing"}): the switch went unconfirmed too long.`,
          { hint: "Nothing else was stopped; the next deploy or rollback recovers the target.", cause: error },
        );
      }
    },
    restart: async () => {
      const status = await call<ProxyStatus>("POST", "/restart");
      if (!status)
        throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", `No front proxy answers on ${executor.host} to restart.`, {
          hint: "A deploy (or `tradeops rollback`) starts one; its log is shared/logs/front-proxy.log on the target.",
        });
      return status;
    },
    stop: async () => {
      const info = await files.readJson<ProxyInfo>(infoFile).catch(() => undefined);
      await stopLegacyLoop(files, layout);
      await call("POST", "/stop").catch(() => undefined);
      // the keeper leads its process group (workers included): this waits for it, and kills what outlives the grace
      if (info?.pid)
        ensureOk(
          await executor.run({ argv: stopCommand(info.pid, STOP_GRACE_SECONDS) }),
          "stop the front proxy",
          executor,
        );
      await files.remove(infoFile);
    },
  };
  return control;
}

/** The proxy's state in the terms an operator reads (`tradeops target proxy`). */
export async function proxySummary(proxy: ProxyControl): Promise<ProxySummary> {
  const status = await proxy.status();
  return {
    state: status?.state ?? "stopped",
    pid: status?.pid ?? null,
    workerPid: status?.workerPid || null,
    port: status?.port ?? null,
    activeColor: status?.route?.color ?? null,
    release: status?.route?.release ?? null,
    uptimeMs: status?.uptimeMs ?? null,
    restarts: status?.restarts ?? 0,
    crashes: status?.crashes ?? 0,
    lastExit: status?.lastExit ?? null,
    guard: status?.guard ?? null,
    lastRevert: status?.lastRevert ?? null,
    version: status?.version ?? null,
  };
}

/** Restarts a proxy gracefully (no connection refused) and returns its new state. */
export async function restartProxy(proxy: ProxyControl): Promise<ProxySummary> {
  await proxy.restart();
  return proxySummary(proxy);
}

/** Proxies started by earlier tradeops versions ran under an `sh` loop that a `stopped` file ends. */
async function stopLegacyLoop(files: TargetFiles, layout: TargetLayout): Promise<void> {
  const loopPid = posix.join(layout.proxyDir, "loop.pid");
  const pid = Number((await files.read(loopPid))?.trim());
  if (!pid) return;
  await files.write(posix.join(layout.proxyDir, "stopped"), "");
  await files.executor.run({ argv: stopCommand(pid, 5) });
  await files.remove(loopPid);
}

async function isAlive(executor: Executor, pid: number): Promise<boolean> {
  return (await executor.run({ argv: aliveCommand(pid) })).code === 0;
}
