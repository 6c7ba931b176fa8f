/** `tradeops target …`: operating what a deploy left on a target — names, flags, help and examples. */
import { type Command, Option } from "commander";
import { examples, type On } from "../program.js";

const GRAMMAR = `
The target is named as in deploy and rollback: PROJECT [to] ENV, or PROJECT --env ENV.
`;

export function registerTargetCommands(program: Command, on: On): void {
  const target = program
    .command("target")
    .description("operate a deployed project on its target: status, logs, stop, start, remove, proxy")
    .addHelpText(
      "after",
      `${examples(
        "tradeops target status alpine-backend staging",
        "tradeops target stop argo production",
        "tradeops target start argo production",
      )}${GRAMMAR}`,
    );
  const verb = (name: string, description: string) =>
    target
      .command(name)
      .description(description)
      .argument("<project>", "project name")
      .argument("[to-env...]", "the environment, optionally after `to` (or --env)");
  on(
    verb(
      "status",
      "colour, release, pid, health and uptime of each deployed instance, and the front proxy",
    ).addHelpText(
      "after",
      `${examples("tradeops target status alpine-backend staging", "tradeops target status argo production --json")}${GRAMMAR}`,
    ),
    async () => (await import("../commands/target.js")).targetStatusCommand,
  );
  on(
    verb("logs", "the last lines each deployed colour wrote")
      .option("-n, --lines <n>", "how many lines from the end of each log (default: 50)")
      .addOption(new Option("--color <color>", "only this colour").choices(["blue", "green"]))
      .addHelpText(
        "after",
        `${examples("tradeops target logs alpine-backend staging", "tradeops target logs argo production --color green -n 200")}${GRAMMAR}`,
      ),
    async () => (await import("../commands/target.js")).targetLogsCommand,
  );
  on(
    verb("stop", "stop the release's processes (both colours) and the front proxy; the records stay").addHelpText(
      "after",
      `${examples("tradeops target stop alpine-backend staging")}${GRAMMAR}`,
    ),
    async () => (await import("../commands/target.js")).targetStopCommand,
  );
  on(
    verb("start", "start the active release again, wait for its health, and route the front proxy to it")
      .option("--start-timeout <seconds>", "how long the release may take to pass health", "30")
      .addHelpText("after", `${examples("tradeops target start alpine-backend staging")}${GRAMMAR}`),
    async () => (await import("../commands/target.js")).targetStartCommand,
  );
  on(
    verb(
      "remove",
      "stop everything and remove the releases and their records (persistent paths and the history are kept)",
    )
      .option("-y, --yes", "do not ask for confirmation (needed when not on a terminal)")
      .addHelpText("after", `${examples("tradeops target remove alpine-backend staging --yes")}${GRAMMAR}`),
    async () => (await import("../commands/target.js")).targetRemoveCommand,
  );
  on(
    verb("proxy", "the front proxy's state: pid, public port, route, requests in flight").addHelpText(
      "after",
      `${examples("tradeops target proxy alpine-backend staging", "tradeops target proxy argo production --json")}${GRAMMAR}`,
    ),
    async () => (await import("../commands/target.js")).targetProxyCommand,
  );
}
