/** The console commands: names, flags, help and examples; each action loads its module on demand. */
import type { Command } from "commander";
import { examples, type On } from "../program.js";

export function registerConsoleCommands(program: Command, on: On): void {
  on(
    program
      .command("console")
      .description("serve the desk console: dashboard, HTTP API under /api/v1 and its OpenAPI docs at /docs")
      .option("--host <address>", "address to listen on (default 127.0.0.1, or TRADEOPS_CONSOLE_HOST)")
      .option("--port <port>", "port (default 7070, or TRADEOPS_CONSOLE_PORT; 0: any free port)")
      .option("--hash-password", "read a password from standard input and print its bcrypt hash, then exit")
      .addHelpText(
        "after",
        `${examples(
          "tradeops console",
          "TRADEOPS_CONSOLE_TOKEN=… tradeops console --env staging --port 7071",
          'read -s P; printf %s "$P" | tradeops console --hash-password',
        )}
Reads are open on loopback; halt, resume, start, stop, restart, rollback and backtests need
Authorization: Bearer $TRADEOPS_CONSOLE_TOKEN (or the control token), or basic auth as
$TRADEOPS_CONSOLE_USER (default operator) with a password whose bcrypt hash is in $TRADEOPS_CONSOLE_PASSWORD_HASH.
`,
      ),
    async () => (await import("../commands/console.js")).consoleCommand,
  );
  const notify = program.command("notify").description("operator notifications (webhook, Slack, Telegram, email)");
  on(
    notify
      .command("test")
      .description("send a test message to every notification channel of the environment")
      .addHelpText(
        "after",
        `${examples("tradeops notify test", "tradeops notify test --env production --json")}
Channels are environments.<env>.notifications in tradeops.yaml; \${NAME} in their settings is read from the
environment and never shown. Exit 69 when a channel did not take the message after 3 attempts.
`,
      ),
    async () => (await import("../commands/notify.js")).notifyTestCommand,
  );
}
