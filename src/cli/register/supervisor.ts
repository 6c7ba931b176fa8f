/** The supervisor commands: names, flags, help and examples; each action loads its module on demand. */
import { type Command, Option } from "commander";
import { examples, type On } from "../program.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSupervisorCommands(program: Command, on: On): void {
  on(
    program
      .command("up")
      .description(
        "run services in the foreground, their lines prefixed and coloured; Ctrl-C stops them all gracefully",
      )
      .argument("[projects...]", "projects to run (default: every project with a start command)")
      .option("--no-console", "do not serve the desk console (default: on 127.0.0.1:7070, or TRADEOPS_CONSOLE_PORT)")
      .option("--console-port <port>", "the console's port (0: any free port)")
      .addHelpText(
        "after",
        examples(
          "tradeops up",
          "tradeops up alpine-backend argo --console-port 7071",
          "tradeops up --env test --no-console",
        ),
      ),
    async () => (await import("../commands/up.js")).upCommand,
  );
  on(
    program
      .command("start")
      .description("start a service through the background supervisor (started on demand); idempotent")
      .argument("[project]", "project name, or `all` (default: all)")
      .addOption(new Option("--color <color>", "run it as the instance PROJECT@COLOR").choices(["blue", "green"]))
      .option("--release <id>", "release id, passed as TRADEOPS_RELEASE")
      .option("--dir <path>", "working directory (default: the project's directory)")
      .option("--port <n>", "PORT for the service (default: the project's port)")
      .addOption(
        new Option("--orders <on|off>", "TRADEOPS_ORDERS: off starts it in shadow mode").choices(["on", "off"]),
      )
      .option("--wait-healthy <seconds>", "exit 0 only once its health endpoint answers healthy (69 if not in time)")
      .addHelpText(
        "after",
        `${examples(
          "tradeops start",
          "tradeops start alpine-backend --wait-healthy 30",
          "tradeops start argo --env staging --color green --release 20250106T101500Z-ab12cd3 --dir /srv/argo/releases/20250106T101500Z-ab12cd3 --port 8202 --orders off",
        )}
Config and secrets are resolved afresh on every start and every restart, the same way \`tradeops run\` does.
The supervisor keeps its state in .tradeops/<env>/supervisor/ (or $TRADEOPS_STATE_DIR).
`,
      ),
    async () => (await import("../commands/start.js")).startCommand,
  );
  on(
    program
      .command("stop")
      .description("stop services gracefully: SIGTERM, then SIGKILL after the grace period")
      .argument("[project]", "project name, or `all` (default: all)")
      .addOption(new Option("--color <color>", "only the instance PROJECT@COLOR").choices(["blue", "green"]))
      .option("--grace <seconds>", "seconds between SIGTERM and SIGKILL (default: 10)")
      .addHelpText(
        "after",
        examples("tradeops stop", "tradeops stop argo --color blue --grace 30", "tradeops stop all --json"),
      ),
    async () => (await import("../commands/stop.js")).stopCommand,
  );
  on(
    program
      .command("restart")
      .description("stop and start again with config and secrets resolved afresh; clears a failed state")
      .argument("[project]", "project name, or `all` (default: all)")
      .addOption(new Option("--color <color>", "only the instance PROJECT@COLOR").choices(["blue", "green"]))
      .option("--grace <seconds>", "seconds between SIGTERM and SIGKILL (default: 10)")
      .option("--wait-healthy <seconds>", "exit 0 only once it answers healthy again (69 if not in time)")
      .addHelpText("after", examples("tradeops restart alpine-backend", "tradeops restart all --wait-healthy 60")),
    async () => (await import("../commands/restart.js")).restartCommand,
  );
  on(
    program
      .command("status")
      .description("supervised instances: state, pid, port, release, uptime, restarts, last exit, health")
      .argument("[project]", "only this project's instances")
      .addHelpText(
        "after",
        `${examples("tradeops status", "tradeops status argo --json", "tradeops status --env production")}
States: starting, running, unhealthy, backoff (waiting to restart), stopping, stopped, failed (gave up; see the
reason and the last log lines; \`tradeops restart\` clears it).
`,
      ),
    async () => (await import("../commands/status.js")).statusCommand,
  );
  on(
    program
      .command("logs")
      .description(
        "the services' logs (per service and colour, standard output and error apart): last lines, or follow with -f",
      )
      .argument("[project]", "only this project's instances")
      .option("-f, --follow", "keep printing new lines until Ctrl-C (with --json: one JSON object per line)")
      .option("-n, --lines <n>", "how many lines from the end of each log (default: 50)")
      .option("--since <time>", "only lines from this moment on: 30s, 10m, 2h, 1d, or a UTC time")
      .option("--raw", "the lines as written (JSON lines), not pretty-printed")
      .addHelpText(
        "after",
        `${examples(
          "tradeops logs alpine-backend",
          "tradeops logs -f",
          "tradeops logs argo --lines 200 --since 1h",
          "tradeops logs argo --raw | jq .msg",
        )}
Lines from standard error are marked with "!". With --json: one document {lines: [{service, stream, line}]};
with --json -f: one such object per line (NDJSON).
`,
      ),
    async () => (await import("../commands/logs.js")).logsCommand,
  );

  const generate = program.command("generate").description("generate files for servers");
  on(
    generate
      .command("systemd")
      .description("a systemd unit that runs the supervisor, with Restart=, limits and the environment pinned")
      .argument(
        "[projects...]",
        "with --per-service: only these projects (default: every project with a start command)",
      )
      .option("--per-service", "one unit per project (PROJECT.service) running it through `tradeops run`, hardened")
      .option("--out <dir>", "write the unit file there (default: print it)")
      .option("--user <name>", "User= of the unit")
      .option("--group <name>", "Group= of the unit")
      .option(
        "--set <NAME=VALUE>",
        "pin one more variable (repeatable; never a secret: unit files are readable)",
        collect,
      )
      .addHelpText(
        "after",
        examples(
          "tradeops generate systemd --env production --user deploy --out /tmp/units",
          "tradeops generate systemd --env staging --set AWS_REGION=eu-west-1",
          "tradeops generate systemd --per-service --env production --user deploy --out deployment/systemd",
          "tradeops generate systemd --per-service magellan-bear-trap --env production --user magellan --json",
        ),
      ),
    async () => (await import("../commands/generate.js")).generateSystemdCommand,
  );

  const supervisor = program.command("supervisor").description("the background supervisor itself");
  on(
    supervisor
      .command("run")
      .description("run the supervisor in the foreground (what systemd starts; `tradeops start` starts it on demand)")
      .addHelpText("after", examples("tradeops supervisor run --env production")),
    async () => (await import("../commands/supervisor.js")).supervisorRunCommand,
  );
  on(
    supervisor
      .command("stop")
      .description("stop every service and the supervisor; they stay stopped")
      .option("--grace <seconds>", "seconds between SIGTERM and SIGKILL for each service (default: 10)")
      .addHelpText("after", examples("tradeops supervisor stop", "tradeops supervisor stop --env test")),
    async () => (await import("../commands/supervisor.js")).supervisorStopCommand,
  );
}
