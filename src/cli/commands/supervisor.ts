/**
 * `tradeops supervisor run|stop`, and what the start/stop/restart/status/logs commands share: where the
 * supervisor of this workspace and environment lives, and how to start it on demand.
 */

import type { WorkspaceContext } from "../../context.js";
import { EXIT, TroError } from "../../errors.js";
import {
  type ConnectOptions,
  connectSupervisor,
  resolveStateDir,
  type StateChange,
  type SupervisorClient,
  supervisorLaunch,
} from "../../supervisor/index.js";
import { type SupervisorServer, serveSupervisor } from "../../supervisor/socket-server.js";
import { Supervisor } from "../../supervisor/supervisor.js";
import { openFromRun } from "../context.js";
import { secondsFlag } from "../flags.js";
import type { CommandRun, Handler } from "../program.js";

export interface SupervisorTarget {
  readonly ctx: WorkspaceContext;
  readonly stateDir: string;
  readonly client: SupervisorClient;
}

/** The workspace, its supervisor's state directory and a client that starts the supervisor when needed. */
export function openSupervisor(
  run: CommandRun,
  options: { readonly launch?: boolean } = { launch: true },
): SupervisorTarget {
  const ctx = openFromRun(run);
  const stateDir = resolveStateDir(ctx.workspace.root, ctx.environment, run.io.env);
  const connect: ConnectOptions = options.launch
    ? { launch: supervisorLaunch({ workspaceRoot: ctx.workspace.root, environment: ctx.environment, env: run.io.env }) }
    : {};
  return { ctx, stateDir, client: connectSupervisor(stateDir, connect) };
}

/** `tradeops supervisor run`: the background supervisor in the foreground (systemd's ExecStart; `start` spawns it). */
export const supervisorRunCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const stateDir = resolveStateDir(ctx.workspace.root, ctx.environment, run.io.env);
  const stamp = () => new Date().toISOString();
  const supervisor = new Supervisor({
    workspaceRoot: ctx.workspace.root,
    environment: ctx.environment,
    stateDir,
    env: run.io.env,
    scrubber: run.out.scrubber,
    onChange: (name, change) => run.out.line(`${change.at} ${name}: ${describeChange(change)}`),
    onNotice: (message) => run.out.line(`${stamp()} ${message}`),
  });
  try {
    await supervisor.open();
  } catch (error) {
    if (error instanceof TroError && error.code === "TRO_ERR_SUPERVISOR_BUSY") {
      run.out.error(`${stamp()} ${error.message}`);
      return EXIT.busy;
    }
    throw error;
  }
  let requestClose: (stopServices: boolean, keepDesired: boolean, why: string) => void = () => undefined;
  let server: SupervisorServer;
  try {
    server = await serveSupervisor(supervisor, (stopServices) =>
      requestClose(stopServices, !stopServices, "shutdown requested"),
    );
  } catch (error) {
    await supervisor.close({ stopServices: false });
    throw new TroError(
      "TRO_ERR_SUPERVISOR_UNAVAILABLE",
      `Cannot listen on ${supervisor.layout.socket}: ${(error as Error).message}.`,
      {
        hint: "Check the state directory's permissions and free space.",
      },
    );
  }
  run.out.line(
    `${stamp()} supervisor pid ${process.pid} for ${ctx.workspace.name} (${ctx.environment}) in ${stateDir}`,
  );
  return new Promise<number>((resolve) => {
    let closing = false;
    // SIGTERM (systemctl stop, shutdown): stop services but remember them, so the next boot starts them again.
    // SIGHUP: exit and leave the services running, for the next supervisor (an upgrade) to adopt.
    const handlers = {
      SIGTERM: () => requestClose(true, true, "SIGTERM"),
      SIGINT: () => requestClose(true, true, "SIGINT"),
      SIGHUP: () => requestClose(false, true, "SIGHUP"),
    };
    requestClose = (stopServices, keepDesired, why) => {
      if (closing) return;
      closing = true;
      run.out.line(`${stamp()} ${why}: ${stopServices ? "stopping services" : "leaving services running"}`);
      void (async () => {
        await server.close();
        await supervisor.close({ stopServices, keepDesired });
        for (const signal of SIGNALS) process.off(signal, handlers[signal]);
        run.out.line(`${stamp()} supervisor exits`);
        resolve(EXIT.ok);
      })();
    };
    for (const signal of SIGNALS) process.on(signal, handlers[signal]);
  });
};

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/** `running → backoff (exited): killed by SIGKILL; next start in 0 ms`, or `spawned pid 123`. */
export function describeChange(change: StateChange): string {
  const head = change.from === change.to ? `${change.trigger}` : `${change.from} → ${change.to} (${change.trigger})`;
  const pid = change.pid ? ` pid ${change.pid}` : "";
  const reason = change.reason ? `: ${change.reason}` : "";
  const next = change.delayMs !== undefined ? `; next start in ${change.delayMs} ms` : "";
  return `${head}${pid}${reason}${next}`;
}

/** `tradeops supervisor stop`: stops every service and the supervisor; they stay stopped. */
export const supervisorStopCommand: Handler = async (run) => {
  const { ctx, client } = openSupervisor(run, { launch: false });
  const info = await client.running();
  if (!info) {
    if (run.globals.json) run.out.json({ ok: true, stopped: null });
    else run.out.info(`No supervisor runs for ${ctx.workspace.name} (${ctx.environment}).`);
    return EXIT.ok;
  }
  await client.shutdown(true, secondsFlag(run.opts.grace, "--grace"));
  if (run.globals.json) run.out.json({ ok: true, stopped: { pid: info.pid } });
  else run.out.info(`Stopped the supervisor (pid ${info.pid}) and its services.`);
  return EXIT.ok;
};
