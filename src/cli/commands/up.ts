/**
 * `tradeops up [PROJECT…]`: the workspace's services in the foreground (development), each line prefixed with
 * its service in its own colour; Ctrl-C stops everything gracefully (a second Ctrl-C forces it).
 */
import { EXIT, TroError } from "../../errors.js";
import { startableProjects } from "../../supervisor/launch-rules.js";
import { followFiles } from "../../supervisor/log-follow.js";
import { errLogFileOf, logFileOf, resolveStateDir } from "../../supervisor/paths.js";
import { serveSupervisor } from "../../supervisor/socket-server.js";
import { Supervisor } from "../../supervisor/supervisor.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";
import { consoleForUp, consolePort } from "./console.js";

export const upCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const requested = run.args.length ? run.args : ["all"];
  const projects = [...new Set(requested.flatMap((name) => startableProjects(ctx.workspace, name)))];
  if (!projects.length) {
    throw new TroError("TRO_ERR_USAGE", "No project in tradeops.yaml has a start command.", {
      hint: "Declare projects.NAME.commands.start.",
    });
  }
  // a console port that cannot be used is refused before any service starts, not warned about after
  if (run.opts.console !== false) consolePort(run);
  const c = run.out.colors;
  const palette = [c.cyan, c.magenta, c.yellow, c.green, c.blue];
  const width = Math.max(...projects.map((p) => p.length));
  const tag = (name: string) => palette[Math.max(0, projects.indexOf(name)) % palette.length]!(name.padEnd(width));
  const print = (name: string, text: string) => run.out.line(`${tag(name)} | ${text}`);
  const supervisor = new Supervisor({
    workspaceRoot: ctx.workspace.root,
    environment: ctx.environment,
    stateDir: resolveStateDir(ctx.workspace.root, ctx.environment, run.io.env),
    env: run.io.env,
    scrubber: run.out.scrubber,
    onChange: (name, change) =>
      print(
        name,
        c.dim(
          `▸ ${change.from === change.to ? change.trigger : change.to}${change.pid ? ` (pid ${change.pid})` : ""}${change.reason ? `: ${change.reason}` : ""}${change.delayMs ? `, next start in ${change.delayMs / 1000} s` : ""}`,
        ),
      ),
    onNotice: (message) => run.out.warn(message),
  });
  await supervisor.open();
  // the socket too: `tradeops status` and `logs` work from another terminal while `up` runs
  let stopRequested: () => void = () => undefined;
  const server = await serveSupervisor(supervisor, () => stopRequested());
  const unfollow = followFiles(
    projects.flatMap((p) => [
      { label: p, path: logFileOf(supervisor.layout, p) },
      { label: p, path: errLogFileOf(supervisor.layout, p) },
    ]),
    (name, line) => print(name, line),
  );
  const errors: unknown[] = [];
  for (const project of projects) {
    try {
      await supervisor.start({ project, orders: true }, run.io.env);
    } catch (error) {
      errors.push(error);
      print(project, c.red(`cannot start: ${(error as Error).message}`));
    }
  }
  if (errors.length === projects.length) {
    unfollow();
    await server.close();
    await supervisor.close({ stopServices: true });
    throw errors[0];
  }
  const up = projects.length - errors.length;
  const desk = await consoleForUp(run, ctx, supervisor);
  run.out.info(
    c.dim(
      `${up} service${up === 1 ? "" : "s"} up in ${ctx.environment}${errors.length ? ` (${errors.length} did not start)` : ""}; Ctrl-C stops them`,
    ),
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) {
        run.out.info(c.dim("forcing: SIGKILL"));
        void supervisor.stop({ project: "all" }, 0);
        return;
      }
      stopping = true;
      run.out.info(c.dim("stopping (Ctrl-C again to force)"));
      void Promise.resolve(desk?.close())
        .then(() => server.close())
        .then(() => supervisor.close({ stopServices: true }))
        .then(() => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          resolve();
        });
    };
    stopRequested = onSignal;
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  unfollow();
  // a service that never came up fails the run, even after the others were stopped cleanly
  if (errors[0]) throw errors[0];
  return EXIT.ok;
};
