/**
 * The library's way to a background supervisor (`tradeops start|stop|restart|status` use it too):
 * `connectSupervisor(stateDir, { launch })` talks over the socket and, given `launch`, starts the
 * supervisor on demand. There is only ever one per state directory: a second start finds the first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, lstatSync, openSync } from "node:fs";
import { connect } from "node:net";
import { TroError } from "../errors.js";
import { sleep, systemClock } from "./clock.js";
import {
  CONNECT_RETRY_MS,
  DAEMON_START_TIMEOUT_MS,
  DEFAULT_STOP_GRACE_MS,
  KILL_WAIT_MS,
  REQUEST_TIMEOUT_MS,
} from "./constants.js";
import type { BaseEnv } from "./instance-context.js";
import { tailLines } from "./logs.js";
import { type StateLayout, stateLayout } from "./paths.js";
import { isSameProcess } from "./process-info.js";
import { fromWire, type SupervisorReplies, type SupervisorRequest, type SupervisorResponse } from "./protocol.js";
import { ensureStateDir, loadState, readPidFiles } from "./store.js";
import type { StartResult, Target } from "./supervisor.js";
import type { InstanceRequest, InstanceStatus, SupervisorInfo, SupervisorStatus } from "./types.js";

/** How to start the background supervisor: `tradeops --workspace W --env E supervisor run`, as argv. */
export interface DaemonLaunch {
  readonly argv: readonly string[];
  readonly env: BaseEnv;
  readonly cwd: string;
}

export interface ConnectOptions {
  /** given: a supervisor is started when none answers; omitted: TRO_ERR_SUPERVISOR_UNAVAILABLE instead */
  readonly launch?: DaemonLaunch;
  readonly startTimeoutMs?: number;
}

export interface SupervisorClient {
  readonly stateDir: string;
  /** the running supervisor, if one answers (never starts one) */
  running(): Promise<SupervisorInfo | undefined>;
  /** @throws TroError TRO_ERR_SUPERVISOR_UNAVAILABLE */
  ensure(): Promise<{ readonly started: boolean; readonly info: SupervisorInfo }>;
  start(request: InstanceRequest, env: BaseEnv): Promise<StartResult>;
  stop(target: Target, graceMs?: number): Promise<InstanceStatus[]>;
  restart(target: Target, env: BaseEnv, graceMs?: number): Promise<InstanceStatus[]>;
  status(project?: string): Promise<SupervisorStatus>;
  waitRunning(name: string, timeoutMs: number): Promise<InstanceStatus>;
  /** asks the supervisor to exit (stopping every service first when asked) and waits until it has */
  shutdown(stopServices: boolean, graceMs?: number): Promise<void>;
}

/** A client for the supervisor of `stateDir`. */
export function connectSupervisor(stateDir: string, options: ConnectOptions = {}): SupervisorClient {
  const layout = stateLayout(stateDir);
  const running = async () => {
    try {
      return await send<SupervisorInfo>(layout, { op: "ping" }, REQUEST_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof TroError && error.code === "TRO_ERR_SUPERVISOR_UNAVAILABLE") return undefined;
      throw error;
    }
  };
  const ensure = async () => {
    const info = await running();
    if (info) return { started: false, info };
    if (!options.launch) {
      throw new TroError("TRO_ERR_SUPERVISOR_UNAVAILABLE", `No supervisor runs for ${stateDir}.`, {
        hint: "Start one with `tradeops start`, or under systemd (`tradeops generate systemd`).",
      });
    }
    return { started: true, info: await launchSupervisor(layout, options.launch, options.startTimeoutMs, running) };
  };
  const call = async <K extends keyof SupervisorReplies>(request: SupervisorRequest & { op: K }, timeoutMs: number) => {
    await ensure();
    return send<SupervisorReplies[K]>(layout, request, timeoutMs);
  };
  const stopBudget = (graceMs = DEFAULT_STOP_GRACE_MS) => graceMs + KILL_WAIT_MS + REQUEST_TIMEOUT_MS;
  return {
    stateDir,
    running,
    ensure,
    start: (request, env) => call({ op: "start", request, env }, REQUEST_TIMEOUT_MS),
    stop: (target, graceMs) => call({ op: "stop", target, graceMs }, stopBudget(graceMs)),
    restart: (target, env, graceMs) => call({ op: "restart", target, env, graceMs }, stopBudget(graceMs)),
    status: (project) => call({ op: "status", project }, REQUEST_TIMEOUT_MS),
    waitRunning: (name, timeoutMs) => call({ op: "wait", name, timeoutMs }, timeoutMs + REQUEST_TIMEOUT_MS),
    async shutdown(stopServices, graceMs) {
      const info = await running();
      if (!info) return;
      await send(layout, { op: "shutdown", stopServices }, REQUEST_TIMEOUT_MS);
      const deadline = Date.now() + stopBudget(graceMs);
      while (isSameProcess(info.pid) && Date.now() < deadline) await sleep(systemClock, CONNECT_RETRY_MS);
      if (isSameProcess(info.pid)) {
        throw new TroError("TRO_ERR_SUPERVISOR_UNAVAILABLE", `The supervisor (pid ${info.pid}) did not exit.`, {
          hint: `Read ${layout.daemonLog}; stop it with kill ${info.pid}.`,
        });
      }
    },
  };
}

/** Whether the state directory records services a supervisor should be watching. */
export function hasRecordedServices(stateDir: string): boolean {
  const layout = stateLayout(stateDir);
  const loaded = loadState(layout);
  // a corrupt state file with PID files left: services may run, and a supervisor must come to adopt them
  if (!loaded.state && loaded.problem) return readPidFiles(layout).size > 0;
  return Boolean(loaded.state?.instances.some((i) => i.desired === "running" || i.pid !== undefined));
}

async function launchSupervisor(
  layout: StateLayout,
  launch: DaemonLaunch,
  timeoutMs = DAEMON_START_TIMEOUT_MS,
  running: () => Promise<SupervisorInfo | undefined>,
): Promise<SupervisorInfo> {
  const child = spawnDaemon(layout, launch);
  let exitCode: number | null | undefined;
  child.once("exit", (code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await running();
    if (info) return info;
    // 75: another supervisor won the race; it will answer
    if ((exitCode !== undefined && exitCode !== 75) || Date.now() > deadline) {
      const tail = tailLines(layout.daemonLog, 5).join(" | ");
      throw new TroError(
        "TRO_ERR_SUPERVISOR_UNAVAILABLE",
        exitCode !== undefined
          ? `The supervisor exited at once (code ${exitCode})${tail ? `: ${tail}` : ""}.`
          : `The supervisor did not answer within ${timeoutMs / 1000} s.`,
        { hint: `Read ${layout.daemonLog}.` },
      );
    }
    await sleep(systemClock, CONNECT_RETRY_MS);
  }
}

/** Starts the supervisor detached, in its own session, its output appended to supervisor.log. */
function spawnDaemon(layout: StateLayout, launch: DaemonLaunch): ChildProcess {
  ensureStateDir(layout);
  const fd = openSync(layout.daemonLog, "a", 0o600);
  try {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(launch.env)) if (v !== undefined) env[k] = v;
    const child = spawn(launch.argv[0]!, launch.argv.slice(1), {
      cwd: launch.cwd,
      env: { ...env, TRADEOPS_STATE_DIR: layout.dir },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

/**
 * A request carries the caller's environment (it may hold secrets): never send it to a socket someone else
 * created, e.g. in a shared temp directory.
 */
function ensureOwnSocket(layout: StateLayout): void {
  let owner: number;
  try {
    owner = lstatSync(layout.socket).uid;
  } catch {
    return; // none: connecting fails as "no supervisor runs"
  }
  const me = process.getuid?.();
  if (me !== undefined && owner !== me) {
    throw new TroError(
      "TRO_ERR_GUARD_REFUSED",
      `The supervisor socket ${layout.socket} belongs to user ${owner}, not to you (${me}); tradeops does not talk to it.`,
      { hint: "Run tradeops as the user that runs the supervisor, or set TRADEOPS_STATE_DIR to your own directory." },
    );
  }
}

/** One request, one response; the socket missing or refusing means no supervisor runs. */
function send<T>(layout: StateLayout, request: SupervisorRequest, timeoutMs: number): Promise<T> {
  ensureOwnSocket(layout);
  return new Promise((resolve, reject) => {
    const socket = connect(layout.socket);
    let buffer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new TroError(
          "TRO_ERR_SUPERVISOR_UNAVAILABLE",
          `The supervisor did not answer a ${request.op} request within ${Math.round(timeoutMs / 1000)} s.`,
          {
            hint: `Read ${layout.daemonLog}.`,
          },
        ),
      );
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const absent = ["ENOENT", "ECONNREFUSED", "ECONNRESET"].includes(error.code ?? "");
      reject(
        new TroError(
          "TRO_ERR_SUPERVISOR_UNAVAILABLE",
          absent
            ? `No supervisor runs for ${layout.dir}.`
            : `Cannot reach the supervisor at ${layout.socket}: ${error.code ?? error.message}.`,
          {
            hint:
              error.code === "EACCES"
                ? "The socket belongs to another user; run as that user."
                : "Start one with `tradeops start`.",
          },
        ),
      );
    });
    socket.on("end", () => {
      clearTimeout(timer);
      let response: SupervisorResponse;
      try {
        response = JSON.parse(buffer) as SupervisorResponse;
      } catch {
        return reject(
          new TroError(
            "TRO_ERR_SUPERVISOR_UNAVAILABLE",
            `The supervisor closed the connection during a ${request.op} request.`,
            { hint: `Read ${layout.daemonLog}.` },
          ),
        );
      }
      if (response.ok) resolve(response.result as T);
      else reject(fromWire(response.error));
    });
  });
}
