/**
 * `startConsole`: the desk console of one workspace and environment, listening (127.0.0.1 unless told
 * otherwise) until closed: the status kept fresh in the background, a backtest queue, the API, its docs and
 * the dashboard.
 */
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Detection } from "../../environment/detect.js";
import type { EnvironmentName } from "../../environment/names.js";
import { TroError } from "../../errors.js";
import { codeOfError } from "../../health/types.js";
import { environmentNotifier } from "../../notify/index.js";
import type { Workspace } from "../../workspace/types.js";
import type { TokenSource } from "../auth.js";
import { alertSender, followAlerts, watchGiveUps } from "./alerts.js";
import { buildConsoleApp } from "./app.js";
import { createBacktestQueue } from "./backtest-queue.js";
import type { BaseEnv, BasicCredentials, ConsoleContext, SupervisorPort } from "./context.js";
import { createOverview } from "./overview.js";
import { createStatusCache } from "./status-cache.js";

export const DEFAULT_CONSOLE_HOST = "127.0.0.1";
export const DEFAULT_CONSOLE_PORT = 7070;

export interface ConsoleOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly detection: Detection;
  readonly env: BaseEnv;
  readonly supervisor: SupervisorPort;
  /** argv that runs the CLI: backtests and rollbacks run through it */
  readonly cli: readonly string[];
  readonly host?: string;
  readonly port?: number;
  readonly token?: TokenSource;
  readonly basic?: BasicCredentials;
  readonly dashboardDir?: string;
  readonly version?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly statusIntervalMs?: number;
}

export interface RunningConsole {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly context: ConsoleContext;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** Builds the console's context and app without listening (tests, and `startConsole`). */
export async function createConsole(
  o: ConsoleOptions,
): Promise<{ app: FastifyInstance; context: ConsoleContext; close(): Promise<void> }> {
  const now = o.now ?? (() => new Date());
  const notifier = environmentNotifier(o.workspace, o.environment, {
    env: o.env,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const alert = alertSender({ workspace: o.workspace, environment: o.environment, now }, notifier);
  const giveUps = watchGiveUps(alert);
  const status = createStatusCache(o.supervisor, { intervalMs: o.statusIntervalMs, onStatus: giveUps });
  const backtests = createBacktestQueue({
    cli: o.cli,
    workspaceRoot: o.workspace.root,
    environment: o.environment,
    env: o.env,
    dir: join(o.workspace.root, ".tradeops", "console", "backtests"),
    now,
  });
  const context: ConsoleContext = {
    workspace: o.workspace,
    environment: o.environment,
    detection: o.detection,
    env: o.env,
    supervisor: o.supervisor,
    status,
    overview: createOverview(o.workspace, o.environment, () => status.current()),
    auth: {
      ...(o.token ? { token: o.token } : {}),
      ...(o.basic ? { basic: o.basic } : {}),
      protectReads: !LOOPBACK.test(o.host ?? DEFAULT_CONSOLE_HOST),
    },
    backtests,
    dashboardDir: o.dashboardDir ?? defaultDashboardDir(),
    fetch: o.fetch ?? fetch,
    now,
    startedAt: now(),
    alert,
  };
  const { app, signals } = await buildConsoleApp(context, { cli: o.cli, version: o.version });
  const stopAlerts = new AbortController();
  if (notifier.channels) void followAlerts(signals, alert, stopAlerts.signal);
  return {
    app,
    context,
    async close() {
      stopAlerts.abort();
      status.stop();
      backtests.close();
      await app.close();
    },
  };
}

/**
 * Starts the console and listens.
 * @throws TroError TRO_ERR_SERVICE_START when the address cannot be bound (the port is in use)
 */
export async function startConsole(o: ConsoleOptions): Promise<RunningConsole> {
  const built = await createConsole(o);
  const host = o.host ?? DEFAULT_CONSOLE_HOST;
  const port = o.port ?? DEFAULT_CONSOLE_PORT;
  try {
    await built.app.listen({ host, port });
  } catch (error) {
    await built.close();
    throw new TroError(
      "TRO_ERR_SERVICE_START",
      `The console cannot listen on ${host}:${port} (${codeOfError(error)}).`,
      {
        hint: "Another process uses the port: pass --port (0 for any free port) or set TRADEOPS_CONSOLE_PORT.",
        cause: error,
      },
    );
  }
  const bound = (built.app.server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${urlHost}:${bound}`, app: built.app, context: built.context, close: built.close };
}

/** argv that runs this tradeops: the entry the process was started with, else the package's bin. */
export function cliArgv(env: BaseEnv): string[] {
  const entry = env.TRADEOPS_SUPERVISOR_ENTRY || process.argv[1];
  if (entry && /tradeops(\.js)?$/.test(entry)) return [process.execPath, entry];
  const root = packageRoot();
  return [process.execPath, root ? join(root, "bin", "tradeops.js") : "tradeops"];
}

/** dist/console of the installed package, found from this file (bundled in dist/ or run from src/). */
export function defaultDashboardDir(): string | undefined {
  const root = packageRoot();
  const built = root ? join(root, "dist", "console") : undefined;
  return built && existsSync(built) ? built : undefined;
}

function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && /"name":\s*"tradeops"/.test(readFileSync(pkg, "utf8"))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}
