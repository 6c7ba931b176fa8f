/** `tradeops target status|logs|stop|start|remove|proxy PROJECT [to] ENV`: flags in, one library call, render out. */
import { createInterface } from "node:readline/promises";
import { removeTarget, startTarget, stopTarget } from "../../deploy/target-control.js";
import {
  type EnvironmentTargetStatus,
  environmentTargetStatus,
  type OperateOptions,
  targetLogs,
  targetProxy,
  targetStatus,
} from "../../deploy/target-ops.js";
import { EXIT, TroError } from "../../errors.js";
import { executorPool } from "../../exec/create.js";
import { openFromRun, targetArguments } from "../context.js";
import { linesFlag, positiveSecondsFlag } from "../flags.js";
import { hostnameOf, selfCommand, whoAmI } from "../identity.js";
import type { CommandRun, Handler } from "../program.js";
import {
  renderLogs,
  renderProxy,
  renderRemoved,
  renderStarted,
  renderStatus,
  renderStopped,
} from "../render/target.js";

/** Runs `work` with the target's options; closes every executor it opened. */
async function withTarget<T>(run: CommandRun, verb: string, work: (o: OperateOptions) => Promise<T>): Promise<T> {
  const ctx = openFromRun(run);
  const project = run.args[0]!;
  const { environment } = targetArguments(run, ctx, {
    required: true,
    example: `tradeops target ${verb} ${project} staging`,
  });
  const executors = executorPool({ env: run.io.env });
  try {
    return await work({
      workspace: ctx.workspace,
      environment,
      project,
      hostname: hostnameOf(run),
      tradeops: selfCommand(run),
      env: run.io.env,
      executorFor: executors.executorFor,
    });
  } finally {
    await executors.close();
  }
}

const control = (run: CommandRun, o: OperateOptions, verb: string) => ({
  ...o,
  who: whoAmI(run),
  command: `target ${verb} ${o.project} ${o.environment}`,
});

export const targetStatusCommand: Handler = async (run) => {
  const views = await withTarget(run, "status", targetStatus);
  if (run.globals.json) run.out.json({ targets: views });
  else renderStatus(run, views);
  return EXIT.ok;
};

export const targetLogsCommand: Handler = async (run) => {
  const lines = linesFlag(run.opts.lines, 50);
  const color = run.opts.color as "blue" | "green" | undefined;
  const views = await withTarget(run, "logs", (o) => targetLogs({ ...o, lines, ...(color ? { color } : {}) }));
  if (run.globals.json) run.out.json({ hosts: views });
  else renderLogs(run, views);
  return EXIT.ok;
};

export const targetStopCommand: Handler = async (run) => {
  const results = await withTarget(run, "stop", (o) => stopTarget(control(run, o, "stop")));
  if (run.globals.json) run.out.json({ ok: true, hosts: results });
  else renderStopped(run, results);
  return EXIT.ok;
};

export const targetStartCommand: Handler = async (run) => {
  const startTimeoutMs = positiveSecondsFlag(run.opts.startTimeout, "--start-timeout") * 1000;
  const results = await withTarget(run, "start", (o) => startTarget({ ...control(run, o, "start"), startTimeoutMs }));
  if (run.globals.json) run.out.json({ ok: true, hosts: results });
  else renderStarted(run, results);
  return EXIT.ok;
};

export const targetRemoveCommand: Handler = async (run) => {
  const results = await withTarget(run, "remove", async (o) => {
    const what = `${o.project} from ${o.environment} (its releases and records; persistent paths and the history stay)`;
    if (!run.opts.yes) {
      if (!run.io.stdin?.isTTY || run.globals.json)
        throw new TroError("TRO_ERR_USAGE", `target remove needs --yes to remove ${what}.`, {
          hint: `e.g. tradeops target remove ${o.project} ${o.environment} --yes`,
        });
      if (!(await confirm(run, `Remove ${what}? [y/N] `))) return undefined;
    }
    return removeTarget(control(run, o, "remove"));
  });
  if (!results) {
    run.out.info("Nothing was removed.");
    return EXIT.ok;
  }
  if (run.globals.json) run.out.json({ ok: true, hosts: results });
  else renderRemoved(run, results);
  return EXIT.ok;
};

export const targetProxyCommand: Handler = async (run) => {
  const views = await withTarget(run, "proxy", targetProxy);
  if (run.globals.json) run.out.json({ hosts: views });
  else renderProxy(run, views);
  return EXIT.ok;
};

/** What runs on the targets of an environment (for `tradeops status`): every project's, or one project's. */
export async function deployedIn(
  run: CommandRun,
  workspace: OperateOptions["workspace"],
  environment: OperateOptions["environment"],
  project?: string,
): Promise<EnvironmentTargetStatus[]> {
  const executors = executorPool({ env: run.io.env });
  try {
    return await environmentTargetStatus({
      workspace,
      environment,
      ...(project ? { project } : {}),
      hostname: hostnameOf(run),
      tradeops: selfCommand(run),
      env: run.io.env,
      executorFor: executors.executorFor,
    });
  } finally {
    await executors.close();
  }
}

async function confirm(run: CommandRun, question: string): Promise<boolean> {
  const rl = createInterface({ input: run.io.stdin!, output: run.io.stderr as NodeJS.WritableStream });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
