import { spawn } from "node:child_process";
import { sensitiveValues } from "../../config/redact.js";
import { EXIT, TroError } from "../../errors.js";
import { holdOutput } from "../../exec/held-output.js";
import { prepareProcess } from "../../secrets/prepare.js";
import { buildStartArgv } from "../../supervisor/command.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

export const runCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const [name, ...command] = run.args as string[];
  const project = requireProject(ctx.workspace, name);
  const prepared = await prepareProcess({
    workspace: ctx.workspace,
    project: project.name,
    environment: ctx.environment,
    env: run.io.env,
  });
  for (const secret of prepared.secrets.values())
    run.out.scrubber.add(secret.reveal(), `${secret.name} from ${secret.source}`);
  if (prepared.config)
    for (const { key, value } of sensitiveValues(prepared.config)) run.out.scrubber.add(value, `config ${key}`);
  for (const warning of prepared.report.warnings) run.out.warn(warning);

  // the start command is exec'd by its shell where it can be, so that a forwarded signal reaches the service itself
  const start = project.commands.start;
  const argv = command.length ? command : start ? buildStartArgv(start) : [];
  if (!argv.length) {
    throw new TroError(
      "TRO_ERR_USAGE",
      `Nothing to run: give a command after -- or declare projects.${name}.commands.start.`,
      {
        hint: `tradeops run ${name} -- <command> [args…]`,
      },
    );
  }
  if (run.globals.verbose) {
    run.out.error(`running ${argv.join(" ")} in ${project.dir} (${ctx.environment}) with:`);
    const secretVars = new Map([...prepared.secrets].map(([n, s]) => [n, s.redacted]));
    for (const key of [
      ...prepared.run.configNames,
      ...prepared.run.secretNames,
      "TRADEOPS_ENVIRONMENT",
      "TRADEOPS_PROJECT",
    ].sort()) {
      run.out.error(`  ${key}=${secretVars.get(key) ?? prepared.run.env[key]}`);
    }
  }
  return new Promise<number>((resolve, reject) => {
    // --scrub-output: the output is held and printed scrubbed when the command ends (a secret may span chunks)
    const scrub = Boolean(run.opts.scrubOutput);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: project.dir,
      env: prepared.run.env,
      stdio: scrub ? ["inherit", "pipe", "pipe"] : "inherit",
    });
    const flush = scrub ? holdOutput(child, (text) => run.out.scrubber.scrub(text), run.io) : undefined;
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on("error", (error) => {
      cleanup();
      reject(
        new TroError(
          "TRO_ERR_COMMAND_FAILED",
          `Cannot start ${argv[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}.`,
          {
            hint: "Check that the command exists on PATH.",
          },
        ),
      );
    });
    // "close": the held output has all arrived as well
    child.on(scrub ? "close" : "exit", (code, signal) => {
      cleanup();
      flush?.();
      resolve(code ?? (signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 0) : EXIT.failed));
    });
  });
};
