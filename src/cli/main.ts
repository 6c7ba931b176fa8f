/**
 * The CLI entry: parse, run one command, map every error to its exit code in one place.
 * Nothing else in tradeops decides an exit code or prints an error.
 */
import { type Command, CommanderError } from "commander";
import { EXIT, formatProblem, isTroError } from "../errors.js";
import { type CliIO, type GlobalOptions, Output } from "./io.js";
import { buildProgram } from "./program.js";
import { enableSnapshots } from "./snapshots.js";

declare const __TRADEOPS_VERSION__: string | undefined;
export const VERSION = typeof __TRADEOPS_VERSION__ === "string" ? __TRADEOPS_VERSION__ : "0.0.0-dev";

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  // a TAB: before commander, which would parse the words being completed as this command's own flags
  if (argv[0] === "__complete") return (await import("./commands/completion.js")).answerCompletion(argv.slice(1), io);
  let exitCode: number = EXIT.ok;
  let out = new Output(io, globalsFromArgv(argv));
  const program = buildProgram(VERSION, async (load, command, args) => {
    const globals = readGlobals(command);
    out = new Output(io, globals);
    const handler = await load();
    exitCode = (await handler({ io, out, globals, args, opts: command.opts() })) ?? EXIT.ok;
  });
  for (const command of allCommands(program)) {
    command
      .exitOverride((error) => {
        throw Object.assign(error, { command: commandPath(command) });
      })
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
        outputError: () => undefined,
      });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, out);
  }
}

function reportError(error: unknown, out: Output): number {
  if (error instanceof CommanderError) {
    if (["commander.helpDisplayed", "commander.version"].includes(error.code)) return EXIT.ok;
    if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") return EXIT.usage;
    const message = error.message.replace(/^error: /, "");
    const hint = usageHint(error);
    if (out.options.json) out.json({ ok: false, error: { code: "TRO_ERR_USAGE", message, hint } });
    else out.error(`${out.colors.red("error:")} ${message}\n  → ${hint}`);
    return EXIT.usage;
  }
  if (isTroError(error)) {
    if (out.options.json) {
      out.json({
        ok: false,
        error: { code: error.code, message: error.message, hint: error.hint, problems: error.problems },
      });
    } else {
      out.error(`${out.colors.red("error:")} ${error.message}`);
      for (const problem of error.problems) out.error(`  ${formatProblem(problem)}`);
      if (error.hint) out.error(`  → ${error.hint}`);
    }
    if (out.options.verbose) out.error(stackOf(error));
    return error.exitCode;
  }
  const message = String((error as Error)?.message ?? error).split("\n")[0];
  if (out.options.json) out.json({ ok: false, error: { code: "TRO_ERR_INTERNAL", message } });
  else out.error(`${out.colors.red("error:")} unexpected failure: ${message}\n  → Rerun with --verbose for details.`);
  if (out.options.verbose) out.error(stackOf(error));
  return EXIT.failed;
}

/** What to do about a command-line mistake commander caught. */
function usageHint(error: CommanderError & { command?: string }): string {
  // `tradeops run PROJECT python3 -c …`: the child's flags reached tradeops
  if (error.command === "run" && error.code === "commander.unknownOption")
    return "Put the command to run after `--`: tradeops run PROJECT -- CMD [ARGS…].";
  return error.command && error.command !== "tradeops"
    ? `Run \`tradeops ${error.command} --help\`.`
    : "Run `tradeops --help` or `tradeops <command> --help`.";
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    lines.push(depth ? `caused by: ${(e as Error).stack ?? String(e)}` : ((e as Error).stack ?? String(e)));
  }
  return lines.join("\n");
}

function readGlobals(command: Command): GlobalOptions {
  const o = command.optsWithGlobals() as Record<string, unknown>;
  return {
    workspace: o.workspace as string | undefined,
    env: o.env as string | undefined,
    json: Boolean(o.json),
    quiet: Boolean(o.quiet),
    verbose: Boolean(o.verbose),
    color: o.color !== false,
  };
}

/** Before commander has parsed anything, errors still honour --json, --verbose and --no-color. */
function globalsFromArgv(argv: readonly string[]): GlobalOptions {
  return {
    json: argv.includes("--json"),
    quiet: argv.includes("--quiet") || argv.includes("-q"),
    verbose: argv.includes("--verbose") || argv.includes("-v"),
    color: !argv.includes("--no-color"),
  };
}

/** `secrets check`, `deploy`: the words a user typed to reach the command. */
function commandPath(command: Command): string {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(" ") || "tradeops";
}

function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

/** The process entry (bin/tradeops.js): real streams, and a quiet exit when a pipe reader goes away. */
export async function main(): Promise<void> {
  const { hostname } = await import("node:os");
  // the AWS SDK's notice about its own future Node support would land in the middle of command output
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  enableSnapshots(process.env, VERSION);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(EXIT.ok);
      throw error;
    });
  }
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    hostname,
    stdin: process.stdin,
  });
}
