/**
 * The command tree: names, flags, help and examples only. Each action imports its command module when it
 * runs, so that `tradeops env` never loads what `tradeops config check` needs.
 */
import { Argument, Command } from "commander";
import type { CliIO, GlobalOptions, Output } from "./io.js";
import { registerAdoptCommands } from "./register/adopt.js";
import { registerConsoleCommands } from "./register/console.js";
import { registerDeployCommands } from "./register/deploy.js";
import { registerHealthCommands } from "./register/health.js";
import { registerRuntimeCommands } from "./register/runtime.js";
import { registerSecretsCommands } from "./register/secrets.js";
import { registerSignalsCommands } from "./register/signals.js";
import { registerSupervisorCommands } from "./register/supervisor.js";
import { registerTargetCommands } from "./register/target.js";

export interface CommandRun {
  readonly io: CliIO;
  readonly out: Output;
  readonly globals: GlobalOptions;
  readonly args: readonly string[];
  readonly opts: Record<string, unknown>;
}

export type Handler = (run: CommandRun) => Promise<number | undefined>;
export type Dispatch = (load: () => Promise<Handler>, command: Command, args: string[]) => Promise<void>;
/** Attaches a lazily loaded handler to a command. */
export type On = (command: Command, load: () => Promise<Handler>) => Command;

/** The help text block every command ends with. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

export function buildProgram(version: string, dispatch: Dispatch): Command {
  const program = new Command("tradeops")
    .description("Take trading bots from a laptop to production and keep them safe there.")
    .version(version, "-V, --version")
    .option("-w, --workspace <dir>", "workspace directory (default: search upward for tradeops.yaml)")
    .option("-e, --env <name>", "environment: development, test, staging, production (or an alias)")
    .option("--json", "machine-readable output", false)
    .option("-q, --quiet", "print only results and errors", false)
    .option("-v, --verbose", "more detail, stack traces on errors", false)
    .option("--no-color", "no colours (also NO_COLOR)")
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      examples("tradeops env", "tradeops config show argo --env production", "tradeops config check --all-envs"),
    );

  const on: On = (command, load) =>
    command.action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      await dispatch(load, cmd, cmd.args);
    });

  on(
    program
      .command("env")
      .description("show the detected environment, the rule that decided it and every rule evaluated")
      .addHelpText(
        "after",
        examples("tradeops env", "ARGO_ENVIRONMENT=prod tradeops env --json", "tradeops env --env staging"),
      ),
    async () => (await import("./commands/env.js")).envCommand,
  );

  on(
    program
      .command("projects")
      .description("list the workspace's projects")
      .option("--names", "names only, one per line (for scripts and completion)")
      .addHelpText("after", examples("tradeops projects", "tradeops projects --json")),
    async () => (await import("./commands/projects.js")).projectsCommand,
  );

  const config = program.command("config").description("layered, validated project configuration");
  on(
    config
      .command("show")
      .description("print the effective config of a project and the layer each key came from")
      .argument("<project>", "project name")
      .option("--sources", "list the layers in order, with their files and variables")
      .addHelpText(
        "after",
        examples(
          "tradeops config show argo",
          "tradeops config show argo --env production --json",
          "tradeops config show argo --sources",
        ),
      ),
    async () => (await import("./commands/config.js")).configShowCommand,
  );
  on(
    config
      .command("check")
      .description("validate config: schema, key parity across environments, example file, literal secrets, file modes")
      .argument("[project]", "project name (default: every project with config)")
      .option("--all-envs", "check every declared environment, not only the current one")
      .addHelpText("after", examples("tradeops config check", "tradeops config check argo --all-envs --json")),
    async () => (await import("./commands/config.js")).configCheckCommand,
  );
  on(
    config
      .command("example")
      .description("print the example config generated from the project's schema")
      .argument("<project>", "project name")
      .option("--write", "write it to the project's config.example file")
      .addHelpText("after", examples("tradeops config example argo", "tradeops config example argo --write")),
    async () => (await import("./commands/config.js")).configExampleCommand,
  );

  registerSecretsCommands(program, on);
  registerRuntimeCommands(program, on);
  registerSignalsCommands(program, on);
  registerHealthCommands(program, on);
  registerSupervisorCommands(program, on);
  registerDeployCommands(program, on);
  registerTargetCommands(program, on);
  registerAdoptCommands(program, on);
  registerConsoleCommands(program, on);

  on(
    program
      .command("completion")
      .description("print a shell completion script")
      .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
      .addHelpText(
        "after",
        examples(
          "tradeops completion bash > /etc/bash_completion.d/tradeops",
          "tradeops completion zsh > ~/.zfunc/_tradeops",
        ),
      ),
    async () => (await import("./commands/completion.js")).completionCommand,
  );

  return program;
}
