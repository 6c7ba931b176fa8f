/**
 * The front proxy's keeper: one small process per target that owns the public socket and never forwards a request.
 * It binds the port once and hands the socket to a worker process; while a worker restarts (after a crash, with
 * backoff) the kernel queues new connections on the socket the keeper still holds instead of refusing them. A
 * graceful restart starts the next worker on the same socket, waits until it is ready, then lets the old one drain.
 * Its control channel (loopback, token in the 0600 `proxy.json`) answers health, status, switch, drain, restart and
 * stop; the route is written to `route.json` before it is applied, so a restarted proxy comes back on the same colour.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import * as net from "node:net";
import { createControlChannel } from "./channel.js";
import { createSwitchGuard, type GuardRecord } from "./guard.js";
import {
  ENV_RETIRE_PID,
  ENV_SOCKET_FD,
  type FromWorker,
  type ProxyInfo,
  type ProxyRoute,
  type ProxyState,
  type ProxyStatus,
  type ProxyTimings,
  type ToWorker,
  tell,
} from "./protocol.js";
import { stateFiles } from "./state-files.js";

export interface KeeperOptions {
  readonly dir: string;
  readonly port: number;
  readonly host: string;
  /** the program file workers are forked from (`front-proxy.mjs`) */
  readonly program: string;
  readonly timings: ProxyTimings;
  /** the public socket, already listening, inherited from a worker whose keeper died (instead of binding) */
  readonly inheritedFd?: number;
  /** that worker: it is told to drain once this keeper's first worker serves */
  readonly retirePid?: number;
  /** one line of the keeper's log */
  readonly log: (event: string, fields?: Record<string, unknown>) => void;
  /** called once the keeper has stopped (or failed to start) with the exit code it wants */
  readonly onExit: (code: number) => void;
}

interface Worker {
  readonly child: ChildProcess;
  readonly version: string;
  readonly startedAt: number;
  exited: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** net's own helper that binds a socket without listening on it (what `cluster` uses): the keeper must hold the
 * socket open without ever accepting a connection itself. */
type CreateHandle = (address: string, port: number, addressType: number, fd?: number) => object | number;

function programVersion(program: string): string {
  return createHash("sha256").update(readFileSync(program)).digest("hex").slice(0, 12);
}

/** Starts a keeper; resolves once its first worker serves (or it gave up: then `onExit` was called). */
export async function runKeeper(options: KeeperOptions): Promise<void> {
  const { dir, port, host, timings, log } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = stateFiles(dir);
  let route = files.read<ProxyRoute>("route.json");
  const createHandle = (net as unknown as { _createServerHandle: CreateHandle })._createServerHandle;
  const handle =
    options.inheritedFd === undefined
      ? createHandle(host, port, net.isIPv6(host) ? 6 : 4)
      : createHandle("", 0, 4, options.inheritedFd);
  if (typeof handle === "number") {
    log("cannot-listen", { host, port, errno: handle });
    return options.onExit(69);
  }
  const startedAt = Date.now();
  let state: ProxyState = "running";
  let current: Worker | undefined;
  const retiring = new Set<Worker>();
  let restarts = 0;
  let crashes = 0;
  let crashRun = 0;
  let lastExit: string | null = null;
  let nextId = 0;
  const pending = new Map<number, (message: FromWorker) => void>();

  const live = () => [current, ...retiring].filter((w): w is Worker => !!w && !w.exited);
  const ask = (worker: Worker, message: ToWorker & { id: number }) =>
    new Promise<FromWorker | undefined>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(message.id);
        resolve(undefined);
      }, 2_000);
      pending.set(message.id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      if (!tell(worker.child, message)) resolve(undefined);
    });

  /** forks a worker on the socket; resolves when it listens, or undefined when it died or did not answer in time */
  const spawnWorker = () =>
    new Promise<Worker | undefined>((resolve) => {
      const env = { ...process.env, [ENV_SOCKET_FD]: undefined, [ENV_RETIRE_PID]: undefined };
      const child = fork(options.program, ["worker", dir], { stdio: ["ignore", "inherit", "inherit", "ipc"], env });
      const worker: Worker = { child, version: programVersion(options.program), startedAt: Date.now(), exited: false };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(undefined);
      }, timings.readyMs);
      child.on("message", (message: FromWorker) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve(worker);
        } else if (message.type === "ack" || message.type === "inflight") pending.get(message.id)?.(message);
      });
      child.on("exit", (code, signal) => {
        worker.exited = true;
        clearTimeout(timer);
        retiring.delete(worker);
        resolve(undefined);
        if (worker !== current || state === "stopping") return;
        current = undefined;
        crashes++;
        crashRun = Date.now() - worker.startedAt >= timings.stableMs ? 1 : crashRun + 1;
        lastExit = `worker ${child.pid} exited (${signal ?? `code ${code}`}) at ${new Date().toISOString()}`;
        log("worker-exited", { pid: child.pid, code, signal });
        void replaceCrashed();
      });
      child.on("error", (error) => log("worker-error", { pid: child.pid, message: error.message }));
      tell(child, { type: "listen", route, dir, port, host }, handle as net.Server);
    });

  const replaceCrashed = async () => {
    state = "restarting";
    while (state === "restarting" && !current) {
      const delay = Math.min(timings.backoffMaxMs, timings.backoffMs * 2 ** Math.max(0, crashRun - 1));
      await sleep(delay);
      if (state !== "restarting") return;
      const worker = await spawnWorker();
      if (worker && state === "restarting") {
        current = worker;
        restarts++;
        state = "running";
        log("worker-started", { pid: worker.child.pid, after: "crash", delayMs: delay });
      } else {
        worker?.child.kill("SIGKILL");
        crashRun++;
      }
    }
  };

  /** a graceful restart: the next worker listens before the current one stops accepting and drains */
  const restart = async (): Promise<boolean> => {
    if (state !== "running") return false;
    const next = await spawnWorker();
    if (!next) return false;
    const old = current;
    current = next;
    restarts++;
    if (old && !old.exited) {
      retiring.add(old);
      tell(old.child, { type: "drain", timeoutMs: timings.drainMs });
    }
    log("worker-started", { pid: next.child.pid, after: "restart", replaced: old?.child.pid });
    return true;
  };

  const inflight = async (): Promise<Record<string, number>> => {
    const sum: Record<string, number> = {};
    for (const worker of live()) {
      const answer = await ask(worker, { type: "inflight", id: ++nextId });
      if (answer?.type !== "inflight") continue;
      for (const [p, n] of Object.entries(answer.counts)) sum[p] = (sum[p] ?? 0) + n;
    }
    return sum;
  };

  const status = async (): Promise<ProxyStatus> => ({
    version: current?.version ?? programVersion(options.program),
    pid: process.pid,
    workerPid: current?.child.pid ?? 0,
    state,
    port,
    host,
    route,
    startedAt: new Date(startedAt).toISOString(),
    uptimeMs: Date.now() - startedAt,
    restarts,
    crashes,
    lastExit,
    guard: guard.status(),
    lastRevert: guard.lastRevert(),
    inflight: await inflight(),
  });

  const { server: control, token } = createControlChannel({
    health: () => {
      const ok = state === "running" && !!current && !current.exited;
      return { ok, body: { ok, state, route: route?.color ?? null } };
    },
    status,
    switchTo: async (color, p, release, input) => {
      const previous = route;
      if (input) guard.set(release, input.fallback as ProxyRoute, input.leaseMs);
      else guard.clear();
      await applyRoute({ color: color as ProxyRoute["color"], port: p, release });
      log("switched", { color, release, seq: route?.seq, guarded: !!input });
      return { previous, route };
    },
    renew: (leaseMs) => ({ guarded: guard.renew(leaseMs) }),
    confirm: (release) =>
      guard.confirm(release)
        ? { ok: true, body: { route } }
        : {
            ok: false,
            body: { error: `traffic is on ${route?.release ?? "nothing"}`, lastRevert: guard.lastRevert() },
          },
    drain: async (p, timeoutMs) => {
      const deadline = Date.now() + (timeoutMs ?? timings.drainMs);
      let remaining = 0;
      for (;;) {
        remaining = route?.port === p ? 0 : ((await inflight())[String(p)] ?? 0);
        if (remaining === 0 || Date.now() >= deadline) break;
        await sleep(10);
      }
      if (route?.port !== p) for (const w of live()) tell(w.child, { type: "forget", port: p });
      return { drained: remaining === 0, remaining };
    },
    restart: async () => {
      const ok = await restart();
      return { ok, body: ok ? await status() : { error: `cannot restart while ${state}` } };
    },
    stop: () => void stop(),
  });

  /** the route, written to route.json first, then applied by every worker (each answers once it routes so) */
  const applyRoute = async (to: Pick<ProxyRoute, "color" | "port" | "release">) => {
    const next: ProxyRoute = { ...to, seq: (route?.seq ?? 0) + 1, switchedAt: new Date().toISOString() };
    files.write("route.json", next);
    route = next;
    await Promise.all(live().map((w) => ask(w, { type: "route", id: ++nextId, route: next })));
  };
  const guard = createSwitchGuard({
    current: () => route?.release,
    applyRoute,
    log,
    initial: files.read<GuardRecord>("guard.json"),
    persist: (g) => (g ? files.write("guard.json", g) : files.remove("guard.json")),
  });
  const guardTimer = setInterval(() => void guard.check(), 250);
  guardTimer.unref();

  const stop = async () => {
    if (state === "stopping") return;
    state = "stopping";
    log("stopping");
    const workers = live();
    for (const w of workers) tell(w.child, { type: "drain", timeoutMs: Math.min(timings.drainMs, 10_000) });
    const deadline = Date.now() + Math.min(timings.drainMs, 10_000) + 2_000;
    while (workers.some((w) => !w.exited) && Date.now() < deadline) await sleep(20);
    for (const w of workers) if (!w.exited) w.child.kill("SIGKILL");
    clearInterval(guardTimer);
    (handle as { close(): void }).close();
    control.close();
    control.closeAllConnections();
    files.remove("proxy.json");
    options.onExit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());

  const first = await spawnWorker();
  if (!first) {
    log("worker-failed", { program: options.program });
    (handle as { close(): void }).close();
    return options.onExit(69);
  }
  current = first;
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const info: ProxyInfo = {
    pid: process.pid,
    port,
    host,
    controlPort: (control.address() as net.AddressInfo).port,
    token,
    version: first.version,
    startedAt: new Date(startedAt).toISOString(),
  };
  files.write("proxy.json", info);
  log("listening", { port, host, worker: first.child.pid, route, adopted: options.inheritedFd !== undefined });
  if (options.retirePid) {
    try {
      process.kill(options.retirePid, "SIGTERM");
    } catch {}
  }
}
