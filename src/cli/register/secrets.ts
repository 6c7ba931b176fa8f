/** The secrets, accounts and run commands: names, flags, help and examples; each action loads its module on demand. */
import type { Command } from "commander";
import { examples, type On } from "../program.js";

export function registerSecretsCommands(program: Command, on: On): void {
  const secrets = program.command("secrets").description("secret sources per environment");
  on(
    secrets
      .command("check")
      .description("resolve every secret of a project (or all) and show which source won; never the value")
      .argument("[project]", "project name, or `all` (default: every project with secrets)")
      .option("--all", "every project with secrets (the default when no project is named)")
      .addHelpText(
        "after",
        `${examples(
          "tradeops secrets check argo",
          "tradeops secrets check --env production --json",
          "tradeops secrets check --all",
        )}
A secret is required unless the manifest marks it optional for the environment, or it is a broker key of a
strategy that runs the simulated broker there (a backtest or a replay of history); those are shown as not required.
`,
      ),
    async () => (await import("../commands/secrets.js")).secretsCheckCommand,
  );
  on(
    secrets
      .command("scan")
      .description("find literal secrets committed in config and env files (a deploy gate)")
      .argument("[path]", "directory to scan (default: the workspace)")
      .addHelpText("after", examples("tradeops secrets scan", "tradeops secrets scan --json")),
    async () => (await import("../commands/secrets.js")).secretsScanCommand,
  );
  const accounts = program.command("accounts").description("broker accounts bound per environment, and their guards");
  on(
    accounts
      .command("check")
      .description("ask the broker for the bound account and run every guard; prints name, paper/live, buying power")
      .argument("[project]", "project name (default: every project with an account)")
      .addHelpText(
        "after",
        examples("tradeops accounts check argo", "tradeops accounts check --env production --json"),
      ),
    async () => (await import("../commands/accounts.js")).accountsCheckCommand,
  );
  on(
    program
      .command("run")
      .description("run a command with the project's config and secrets as environment variables (any language)")
      .argument("<project>", "project name")
      .argument("[command...]", "the command and its arguments, after -- (default: the project's start command)")
      .option(
        "--scrub-output",
        "hold the command's output and print it when it ends, every secret value replaced (for output another program collects)",
      )
      .addHelpText(
        "after",
        examples(
          "tradeops run signal-lab -- python3 main.py",
          "tradeops run argo --env staging -- node dist/main.js",
          "tradeops run alpine-backend",
          "tradeops run argo --env production --scrub-output -- sh -c 'npm ci'",
        ),
      ),
    async () => (await import("../commands/run.js")).runCommand,
  );
}
