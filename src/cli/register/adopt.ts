/** Adoption commands: init, new, migrate, hooks, and the generators beside `generate systemd`. */
import type { Command } from "commander";
import { examples, type On } from "../program.js";

export function registerAdoptCommands(program: Command, on: On): void {
  on(
    program
      .command("init")
      .description(
        "detect the projects of an existing repository and propose a tradeops.yaml: environments, detection, ports, commands, secret names",
      )
      .option("-y, --yes", "write it without asking (for scripts)")
      .option("--name <name>", "the workspace's name (default: the directory's name)")
      .addHelpText(
        "after",
        examples(
          "tradeops init",
          "tradeops init --yes && tradeops config check --all-envs",
          "tradeops init --json | jq .toFill",
        ),
      ),
    async () => (await import("../commands/init.js")).initCommand,
  );
}
