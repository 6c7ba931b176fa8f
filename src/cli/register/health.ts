/** The health commands: names, flags, help and examples; each action loads its module on demand. */
import { type Command, Option } from "commander";
import { examples, type On } from "../program.js";

/** `tradeops health PROJECT|all [--level N]`. */
export function registerHealthCommands(program: Command, on: On): void {
  on(
    program
      .command("health")
      .description("check a project's health at level 1, 2 or 3; exit 0 only when every check passes (else 69)")
      .argument("<project>", "project name, or `all` for every project with a port")
      .addOption(
        new Option(
          "--level <level>",
          "1 fast, 2 components, 3 live dependency checks (default: the policy's level)",
        ).choices(["1", "2", "3"]),
      )
      .option("--port <port>", "ask the instance on this port (its identity is still checked)")
      .addHelpText(
        "after",
        `${examples(
          "tradeops health argo",
          "tradeops health argo --port 8000",
          "tradeops health all --env production --level 3",
          "tradeops health alpine-backend --level 1 --json",
        )}
Level 1 asks GET health.path, level 2 health.detailedPath, level 3 GET /health/deep (answered to callers on
the service's machine; elsewhere set TRADEOPS_CONTROL_TOKEN). Degraded counts as not passing.
On this machine the instance is found through the supervisor's state or the target's release records; a
service that names another workspace, environment or release is refused (exit 77, TRO_ERR_INSTANCE_MISMATCH).
`,
      ),
    async () => (await import("../commands/health.js")).healthCommand,
  );
}
