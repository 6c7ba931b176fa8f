/**
 * `tradeops console`: the desk console (dashboard, API, docs) of this workspace and environment, over its
 * background supervisor (started on demand), until Ctrl-C. `--hash-password` turns a password read from
 * standard input into the bcrypt hash basic auth is configured with.
 */
import { EXIT, TroError } from "../../errors.js";
import { hashPassword } from "../../server/console/auth.js";
import { consoleCredentials } from "../../server/console/credentials.js";
import { cliArgv, DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, startConsole } from "../../server/console/server.js";
import type { CommandRun, Handler } from "../program.js";
import { openSupervisor } from "./supervisor.js";

export const consoleCommand: Handler = async (run) => {
  if (run.opts.hashPassword) {
    const password = (await readStdin()).replace(/\r?\n$/, "");
    if (!password)
      throw new TroError("TRO_ERR_USAGE", "No password on standard input.", {
        hint: 'e.g. read -s P; printf %s "$P" | tradeops console --hash-password',
      });
    run.out.line(await hashPassword(password));
    return EXIT.ok;
  }
  const { ctx, client } = openSupervisor(run);
  const credentials = consoleCredentials(run.io.env);
  if (credentials.token) run.out.scrubber.add(credentials.token.reveal(), "console token");
  const running = await startConsole({
    workspace: ctx.workspace,
    environment: ctx.environment,
    detection: ctx.detection,
    env: run.io.env,
    supervisor: client,
    cli: cliArgv(run.io.env),
    host: consoleHost(run),
    port: consolePort(run),
    ...credentials,
  });
  if (run.globals.json) run.out.json({ url: running.url, docs: `${running.url}/docs`, environment: ctx.environment });
  else {
    run.out.line(
      `console for ${ctx.workspace.name} (${ctx.environment}) on ${running.url}  (API docs ${running.url}/docs)`,
    );
    if (!credentials.token && !credentials.basic)
      run.out.warn(
        "no TRADEOPS_CONSOLE_TOKEN or TRADEOPS_CONSOLE_PASSWORD_HASH: halt, start and backtests are refused",
      );
  }
  await untilSignal();
  await running.close();
  return EXIT.ok;
};

/** `--host`, else TRADEOPS_CONSOLE_HOST, else loopback. */
export function consoleHost(run: CommandRun): string {
  return (run.opts.host as string | undefined) || run.io.env.TRADEOPS_CONSOLE_HOST || DEFAULT_CONSOLE_HOST;
}

/** `--port`, else TRADEOPS_CONSOLE_PORT, else 7070. @throws TroError TRO_ERR_USAGE */
export function consolePort(run: CommandRun): number {
  const [source, value] =
    run.opts.consolePort !== undefined
      ? ["--console-port", run.opts.consolePort]
      : run.opts.port !== undefined
        ? ["--port", run.opts.port]
        : ["TRADEOPS_CONSOLE_PORT", run.io.env.TRADEOPS_CONSOLE_PORT];
  const text = value as string | undefined;
  if (text === undefined) return DEFAULT_CONSOLE_PORT;
  const n = Number(text);
  if (!(text.trim() !== "" && Number.isInteger(n) && n >= 0 && n < 65536))
    throw new TroError("TRO_ERR_USAGE", `The console port ${text} (${source}) is not a port number from 0 to 65535.`, {
      hint: `For example ${source === "TRADEOPS_CONSOLE_PORT" ? "TRADEOPS_CONSOLE_PORT=7070" : `${source} 7070`} (0: any free port).`,
    });
  return n;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

/** The console `up` serves by default; a port in use is a warning there, not a reason to stop the services. */
export async function consoleForUp(
  run: CommandRun,
  ctx: {
    workspace: import("../../workspace/types.js").Workspace;
    environment: import("../../environment/names.js").EnvironmentName;
    detection: import("../../environment/detect.js").Detection;
  },
  supervisor: import("../../server/console/context.js").SupervisorPort,
): Promise<{ close(): Promise<void> } | undefined> {
  if (run.opts.console === false) return undefined;
  try {
    const credentials = consoleCredentials(run.io.env);
    if (credentials.token) run.out.scrubber.add(credentials.token.reveal(), "console token");
    const running = await startConsole({
      workspace: ctx.workspace,
      environment: ctx.environment,
      detection: ctx.detection,
      env: run.io.env,
      supervisor,
      cli: cliArgv(run.io.env),
      host: consoleHost(run),
      port: consolePort(run),
      ...credentials,
    });
    run.out.info(run.out.colors.dim(`console on ${running.url} (API docs ${running.url}/docs)`));
    return running;
  } catch (error) {
    run.out.warn(`the console did not start: ${(error as Error).message}`);
    return undefined;
  }
}
