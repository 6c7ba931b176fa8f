/**
 * Driving a target's front proxy through its executor: make sure it runs (writing its program, starting it detached
 * under a small restart loop so a crash costs a second, not the service), ask its status, switch its route, wait for
 * a colour to drain. Every call is a plain command, so a remote proxy is driven exactly like a local one.
 */
import { posix } from "node:path";
import { TroError } from "../../errors.js";
import { type Executor, ensureOk, tail } from "../../exec/command.js";
import { DRAIN_TIMEOUT_MS, PROXY_START_TIMEOUT_MS } from "../constants.js";
import type { TargetLayout } from "../layout.js";
import { aliveCommand, detachCommand, stopCommand, tailCommand } from "../process-commands.js";
import type { TargetFiles } from "../target-files.js";
import type { Color } from "../types.js";
import { FRONT_PROXY_PROGRAM } from "./program.js";

const POLL_MS = 50;

export interface ProxyRoute {
  readonly color: Color;
  readonly port: number;
  readonly release: string;
  readonly seq: number;
  readonly switchedAt: string;
}

export interface ProxyStatus {
  readonly version: string;
  readonly pid: number;
  readonly port: number;
  readonly route: ProxyRoute | null;
  readonly inflight: Record<string, number>;
}

export interface ProxyControl {
  /** the proxy's status, or undefined when none answers */
  status(): Promise<ProxyStatus | undefined>;
  /** starts the proxy unless one answers on the right port; returns its status */
  ensure(): Promise<ProxyStatus>;
  /** points the public port at a colour, in one step; returns the route it replaced */
  switchTo(color: Color, port: number, release: string): Promise<ProxyRoute | null>;
  /** waits until no request is in flight on a port the proxy no longer routes to */
  drain(port: number, timeoutMs?: number): Promise<{ drained: boolean; remaining: number }>;
  /** stops the proxy for good (its restart loop too) */
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

const LOOP =
  'while :; do rm -f "$1/stopped"; "$0" "$1/front-proxy.mjs" serve "$1" "$2" "$3"; [ -f "$1/stopped" ] && break; sleep 1; done';

/** The proxy of one target and project. */
export function proxyControl(options: ProxyControlOptions): ProxyControl {
  const { files, layout } = options;
  const executor: Executor = files.executor;
  /**
   * A control request over HTTP, through the executor's forward of the proxy's loopback control port (the same port
   * on this machine); the token is read from the 0600 proxy.json. Undefined when no proxy answers.
   */
  const call = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T | undefined> => {
    const info = await files
      .readJson<{ controlPort: number; token: string }>(posix.join(layout.proxyDir, "proxy.json"))
      .catch(() => undefined);
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
          {
            hint: "Restart it: the next deploy starts one when none answers.",
          },
        );
      return JSON.parse(text) as T;
    } catch (error) {
      if (error instanceof TroError) throw error;
      return undefined;
    } finally {
      await forward.close();
    }
  };
  const loopPid = posix.join(layout.proxyDir, "loop.pid");
  const control: ProxyControl = {
    status: () => call<ProxyStatus>("GET", "/status"),
    ensure: async () => {
      if ((await files.read(layout.proxyProgram)) !== FRONT_PROXY_PROGRAM)
        await files.write(layout.proxyProgram, FRONT_PROXY_PROGRAM);
      const current = await control.status();
      if (current && current.port === options.publicPort) return current;
      if (current) await control.stop();
      const log = posix.join(layout.logsDir, "front-proxy.log");
      const started = ensureOk(
        await executor.run({
          argv: detachCommand({
            log,
            dir: layout.proxyDir,
            argv: ["sh", "-c", LOOP, options.node, layout.proxyDir, String(options.publicPort), options.bindHost],
          }),
        }),
        "start the front proxy",
        executor,
      );
      await files.write(loopPid, started.stdout.trim());
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
        {
          hint: `Is the port taken by another process? Its log says: ${why || "nothing"}`,
        },
      );
    },
    switchTo: async (color, port, release) => {
      const result = await call<{ previous: ProxyRoute | null }>("POST", "/switch", { color, port, release });
      if (!result) {
        throw new TroError(
          "TRO_ERR_TARGET_UNAVAILABLE",
          `The front proxy on ${executor.host} did not answer the switch to ${color}.`,
          {
            hint: "Nothing was switched; the next deploy restarts the proxy and recovers.",
          },
        );
      }
      return result.previous;
    },
    drain: async (port, timeoutMs = DRAIN_TIMEOUT_MS) =>
      (await call<{ drained: boolean; remaining: number }>("POST", "/drain", { port, timeoutMs })) ?? {
        drained: false,
        remaining: -1,
      },
    stop: async () => {
      await files.write(posix.join(layout.proxyDir, "stopped"), "");
      const pid = Number((await files.read(loopPid))?.trim());
      await call("POST", "/stop").catch(() => undefined);
      if (pid) await executor.run({ argv: stopCommand(pid, 5) });
    },
  };
  return control;
}

async function isAlive(executor: Executor, pid: number): Promise<boolean> {
  return (await executor.run({ argv: aliveCommand(pid) })).code === 0;
}
