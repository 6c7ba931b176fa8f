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
          "tradeops init --json | jq .secrets",
        ),
      ),
    async () => (await import("../commands/init.js")).initCommand,
  );

  const create = program.command("new").description("create a project in the dev/test/prod layout");
  on(
    create
      .command("strategy")
      .description("a strategy: code, config per environment with its schema, tests on cached bars, a staging target")
      .argument("<name>", "project name (lower-case letters, digits, ., _ and -)")
      .option("--lang <lang>", "ts (default) or python (run through `tradeops run`)")
      .option("--dir <dir>", "its directory (default strategies/NAME)")
      .option("--port <port>", "its /health port (default: a free one in the manifest)")
      .option("--staging-port <port>", "the public port of its local staging target (default port + 100)")
      .addHelpText(
        "after",
        examples(
          "tradeops new strategy momentum && tradeops backtest momentum",
          "tradeops new strategy meanrev --lang python --port 8400",
        ),
      ),
    async () => (await import("../commands/new.js")).newStrategyCommand,
  );
  on(
    create
      .command("service")
      .description("a service on the tradeops service host, with /health levels 1–3 wired")
      .argument("<name>", "project name")
      .option("--dir <dir>", "its directory (default services/NAME)")
      .option("--port <port>", "its port (default: a free one in the manifest)")
      .option("--staging-port <port>", "the public port of its local staging target (default port + 100)")
      .addHelpText("after", examples("tradeops new service quotes", "tradeops new service quotes --port 8500 --json")),
    async () => (await import("../commands/new.js")).newServiceCommand,
  );

  // beside `generate systemd` (registered with the supervisor commands)
  const generate = program.commands.find((c) => c.name() === "generate") ?? program.command("generate");
  const common = (c: Command) =>
    c
      .option("--out <dir>", "write the files there (default: print them)")
      .option("--check", "compare with the files in --out and fail (exit 1) on any difference")
      .option("--image-prefix <prefix>", "container image prefix, e.g. ghcr.io/acme (default: the workspace's name)")
      .option("--namespace <ns>", "Kubernetes namespace (default: the workspace's name)");
  const generators: [string, string, string[]][] = [
    [
      "github-actions",
      "a GitHub Actions workflow: strategies backtested on archived bars in a matrix, tests, gated deploy jobs per environment",
      [
        "tradeops generate github-actions --out .github/workflows",
        "tradeops generate github-actions --out .github/workflows --check",
      ],
    ],
    [
      "compose",
      "a Dockerfile and compose.yaml per project: health checks on /livez and /readyz, secrets as compose secrets, environment pinned",
      ["tradeops generate compose --out deploy", "tradeops generate compose --env staging"],
    ],
    [
      "kubernetes",
      "Kubernetes manifests: Deployment or Argo Rollout, Service, probes, ConfigMap, ExternalSecrets, PodDisruptionBudget, Lease",
      [
        "tradeops generate kubernetes --out deploy --namespace trading",
        "tradeops generate kubernetes --image-prefix ghcr.io/acme",
      ],
    ],
    [
      "all",
      "every generator above, into one directory (default deploy/)",
      ["tradeops generate all --out deploy/", "tradeops generate all --out deploy/ --check"],
    ],
  ];
  for (const [name, description, lines] of generators) {
    on(common(generate.command(name).description(description)).addHelpText("after", examples(...lines)), async () =>
      (await import("../commands/generate-files.js")).generateFilesCommand(name as "all"),
    );
  }

  const hooks = program.command("hooks").description("git hooks that keep commits to one project and free of secrets");
  on(
    hooks
      .command("install")
      .description(
        "install the pre-commit hook: refuses commits mixing unrelated projects, literal secrets, refused patterns",
      )
      .option("--force", "replace a pre-commit hook tradeops did not write")
      .addHelpText("after", examples("tradeops hooks install", "git commit --no-verify   # skip the hook once")),
    async () => (await import("../commands/hooks.js")).hooksInstallCommand,
  );
  on(
    hooks
      .command("run")
      .description("run a hook on what is staged now (what the installed hook calls)")
      .argument("<hook>", "pre-commit")
      .addHelpText("after", examples("tradeops hooks run pre-commit", "tradeops hooks run pre-commit --json")),
    async () => (await import("../commands/hooks.js")).hooksRunCommand,
  );

  on(
    program
      .command("migrate")
      .description(
        "move a seed-style tree (strategies under a deployable folder with deployment scripts) to prod/<strategy>/, with git mv",
      )
      .option("--from <dir>", "the deployable folder (default: found by its strategies' deployment folders)")
      .option("--to <dir>", "where strategies go (default prod)")
      .option("--apply", "do it (default: print the plan of moves and the manifest)")
      .addHelpText(
        "after",
        examples(
          "tradeops migrate",
          "tradeops migrate --from deployable_strategies --apply",
          "tradeops migrate --json",
        ),
      ),
    async () => (await import("../commands/migrate.js")).migrateCommand,
  );
}
