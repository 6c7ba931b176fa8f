/**
 * The front proxy's entry point (`dist/front-proxy.mjs`, a self-contained file that tradeops writes to a target's
 * `shared/proxy/` and runs there with nothing but `node`): `serve DIR PORT [HOST]` runs the keeper, `worker DIR` is
 * how the keeper forks its workers, `ctl DIR COMMAND` is a client of the control channel for operators on the host.
 * It is a program of its own: it writes its log lines to its standard streams, which the target's log file receives.
 */
import { readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { runKeeper } from "./keeper.js";
import { DEFAULT_TIMINGS, ENV_RETIRE_PID, ENV_SOCKET_FD, type ProxyInfo, type ProxyTimings } from "./protocol.js";
import { runWorker } from "./worker.js";

const OUT = 1;
const ERR = 2;
const USAGE =
  "usage: front-proxy.mjs serve DIR PORT [HOST] | ctl DIR status|health|restart|stop|switch COLOR PORT RELEASE|drain PORT [TIMEOUT_MS]";

function line(fd: number, text: string): void {
  writeSync(fd, `${text}\n`);
}

/** Timings from `TRADEOPS_PROXY_<NAME>_MS` (tests shorten them), else the defaults. */
function timings(env: NodeJS.ProcessEnv): ProxyTimings {
  const pick = (name: string, fallback: number) => {
    const value = Number(env[`TRADEOPS_PROXY_${name}_MS`]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    backoffMs: pick("BACKOFF", DEFAULT_TIMINGS.backoffMs),
    backoffMaxMs: pick("BACKOFF_MAX", DEFAULT_TIMINGS.backoffMaxMs),
    stableMs: pick("STABLE", DEFAULT_TIMINGS.stableMs),
    drainMs: pick("DRAIN", DEFAULT_TIMINGS.drainMs),
    readyMs: pick("READY", DEFAULT_TIMINGS.readyMs),
  };
}

async function ctl(dir: string, command: string | undefined, rest: string[]): Promise<number> {
  let info: ProxyInfo;
  try {
    info = JSON.parse(readFileSync(join(dir, "proxy.json"), "utf8")) as ProxyInfo;
  } catch {
    line(ERR, `no front proxy runs in ${dir} (no proxy.json)`);
    return 69;
  }
  const calls: Record<string, [string, string, unknown?]> = {
    status: ["GET", "/status"],
    health: ["GET", "/health"],
    restart: ["POST", "/restart"],
    stop: ["POST", "/stop"],
    switch: ["POST", "/switch", { color: rest[0], port: Number(rest[1]), release: rest[2] }],
    drain: ["POST", "/drain", { port: Number(rest[0]), timeoutMs: Number(rest[1] ?? 30_000) }],
  };
  const call = command ? calls[command] : undefined;
  if (!call) {
    line(ERR, USAGE);
    return 64;
  }
  try {
    const res = await fetch(`http://127.0.0.1:${info.controlPort}${call[1]}`, {
      method: call[0],
      headers: { authorization: `Bearer ${info.token}`, "content-type": "application/json" },
      body: call[2] === undefined ? undefined : JSON.stringify(call[2]),
      signal: AbortSignal.timeout(Number(process.env.PROXY_CTL_TIMEOUT_MS ?? 120_000)),
    });
    line(OUT, await res.text());
    return res.ok ? 0 : 1;
  } catch (error) {
    line(ERR, `the front proxy in ${dir} does not answer (${(error as Error).message})`);
    return 69;
  }
}

const [mode, dir, ...args] = process.argv.slice(2);
if (mode === "worker") runWorker();
else if (mode === "serve" && dir && args[0]) {
  await runKeeper({
    dir,
    port: Number(args[0]),
    host: args[1] ?? "127.0.0.1",
    program: process.argv[1] ?? "",
    timings: timings(process.env),
    inheritedFd: process.env[ENV_SOCKET_FD] ? Number(process.env[ENV_SOCKET_FD]) : undefined,
    retirePid: Number(process.env[ENV_RETIRE_PID]) || undefined,
    log: (event, fields) => line(OUT, JSON.stringify({ at: new Date().toISOString(), event, ...fields })),
    onExit: (code) => {
      process.exitCode = code;
    },
  });
} else if (mode === "ctl" && dir) process.exitCode = await ctl(dir, args[0], args.slice(1));
else {
  line(ERR, USAGE);
  process.exitCode = 64;
}
