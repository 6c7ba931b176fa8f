/** The deploy commands: names, flags, help and examples; each action loads its module on demand. */
import { type Command, Option } from "commander";
import { examples, type On } from "../program.js";

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",")];

const GATES_HELP = `
The target environment is named the same way in deploy, gates, rollback, releases, lock and history:
PROJECT [to] ENV, or --env ENV (deploy and gates also take --to ENV).

Gates, in order (SPEC §12): 1 identify changes, 2 verify scope, 3 tests, 4 lint, 5 build,
6 required environments healthy, 7 environment validated, 8 code quality (added lines; every line on a first deploy),
9 target healthy, 10 explicit confirmation, 11 health after the switch (monitoring window).
12 signal parity (strategies, before the switch): the new release replays the bars the active release saw
(policies.ENV.signalParityDays, default 30) and must make the same decisions; in production a difference blocks
unless --accept-signal-changes "REASON" (recorded).
A target with \`secrets: host\` (targets.ENV.PROJECT.secrets) resolves its secrets only on its hosts: gate 7 counts
them, each host's tradeops checks them after the upload (step \`secrets\`), and the direct runner is refused (77).
`;

export function registerDeployCommands(program: Command, on: On): void {
  on(
    program
      .command("deploy")
      .description(
        "run the gates, ship a verified artifact, switch blue/green with zero downtime, confirm health, record it",
      )
      .argument("<project>", "project name, or `all` for every project changed since its last deploy")
      .argument("[to-env...]", "the environment, optionally after `to` (`deploy argo to production`)")
      .option("--to <env>", "the environment to deploy to")
      .option("--dry-run", "run the gates and print the plan; change nothing")
      .option("--confirm <phrase>", "the policy's exact confirmation phrase (asked for on a terminal)")
      .option("--emergency", "deploy inside a blocked day or hour (needs --reason; recorded)")
      .option("--reason <text>", "why: for --emergency and --skip-gate (recorded)")
      .option("--skip-gate <n>", "skip a gate the policy allows to skip (repeatable; needs --reason)", collect)
      .option("--allow-dirty", "ship uncommitted changes of tracked files (recorded)")
      .option(
        "--accept-signal-changes <reason>",
        "gate 12: let decisions that differ from the active release's through, saying why (recorded)",
      )
      .option("--since <ref>", "diff from this commit instead of the last one deployed to the target")
      .option(
        "--start-timeout <seconds>",
        "how long a new release may take to pass health before it counts as failed",
        "30",
      )
      .addOption(
        new Option(
          "--runner <kind>",
          "how releases run on the target (default: the one recorded there; supervisor on a first deploy)",
        ).choices(["direct", "supervisor"]),
      )
      .addHelpText(
        "after",
        `${examples(
          "tradeops deploy alpine-backend to staging",
          'tradeops deploy all to production --confirm "deploy fully to production"',
          "tradeops deploy argo --to production --dry-run",
          'tradeops deploy argo to production --emergency --reason "stop-loss bug"',
          'tradeops deploy argo to production --accept-signal-changes "slow window 30 → 40, reviewed"',
        )}${GATES_HELP}`,
      ),
    async () => (await import("../commands/deploy.js")).deployCommand,
  );
  on(
    program
      .command("gates")
      .description("run the deploy gates alone, every one of them, and report each with its reason and duration")
      .argument("<project>", "project name, or `all`")
      .argument("[to-env...]", "the environment, optionally after `to` (or --to, --env)")
      .option("--to <env>", "the environment the gates are for")
      .option("--since <ref>", "diff from this commit instead of the last one deployed")
      .option("--allow-dirty", "judge uncommitted changes too")
      .option("--skip-gate <n>", "skip a gate the policy allows to skip (needs --reason)", collect)
      .option("--reason <text>", "why a gate is skipped")
      .option("--at <time>", "judge blocked days and hours as of this moment (UTC unless an offset is given)")
      .option(
        "--accept-signal-changes <reason>",
        "gate 12: pass on decisions that differ from the active release's, saying why",
      )
      .addHelpText(
        "after",
        `${examples(
          "tradeops gates alpine-backend to staging",
          "tradeops gates all --to production --json",
          "tradeops gates argo --to production --at 2026-12-04T15:00Z",
          'tradeops gates argo to staging --accept-signal-changes "new momentum window"',
        )}${GATES_HELP}`,
      ),
    async () => (await import("../commands/gates.js")).gatesCommand,
  );
  on(
    program
      .command("rollback")
      .description("return a project to its last known-good release (one that passed gate 11), or to a named one")
      .argument("<project>", "project name")
      .argument("[to-env...]", "the environment, optionally after `to` (or --env; default: the detected one)")
      .option("--release <id>", "a release id still on the target (`tradeops releases` lists them)")
      .option("--to <release>", "the same as --release (kept for scripts)")
      .option("--reason <text>", "why (recorded)")
      .option(
        "--dry-run",
        "print the plan (each host's from → to, warm or cold, lease handoff; first, the recovery of a deploy left in progress) and move nothing",
      )
      .option("--start-timeout <seconds>", "how long the release may take to pass health when it must start cold", "30")
      .addOption(
        new Option(
          "--runner <kind>",
          "how releases run on the target (default: the one recorded there; supervisor on a first deploy)",
        ).choices(["direct", "supervisor"]),
      )
      .addHelpText(
        "after",
        examples(
          "tradeops rollback argo to production",
          "tradeops rollback alpine-backend staging --release 20261120T101500Z-1a2b3c4",
          "tradeops rollback alpine-frontend staging   # coupled members with a target come back with it",
          "tradeops rollback argo to production --dry-run --json",
          "tradeops rollback alpine-backend staging --dry-run   # after a killed deploy: what its recovery does first",
        ),
      ),
    async () => (await import("../commands/rollback.js")).rollbackCommand,
  );
  on(
    program
      .command("releases")
      .description("list the releases kept on a project's target: status, colour, commit, artifact hash, known-good")
      .argument("<project>", "project name")
      .argument("[to-env...]", "the environment, optionally after `to` (or --env; default: the detected one)")
      .addHelpText(
        "after",
        examples("tradeops releases alpine-backend staging", "tradeops releases argo production --json"),
      ),
    async () => (await import("../commands/releases.js")).releasesCommand,
  );
  on(
    program
      .command("history")
      .description(
        "deploys, rollbacks, recoveries and lock breaks, newest first (every environment with targets unless --env)",
      )
      .argument("[project]", "only this project")
      .argument("[to-env...]", "only this environment, optionally after `to` (or --env)")
      .option("--limit <n>", "newest N records", "20")
      .addHelpText(
        "after",
        examples("tradeops history", "tradeops history production", "tradeops history argo staging --json"),
      ),
    async () => (await import("../commands/history.js")).historyCommand,
  );
  const lock = program.command("lock").description("the deploy lock of each target and project");
  on(
    lock
      .command("status")
      .description("who holds each deploy lock, since when, and whether it is stale")
      .argument("[project]", "project name (default: every project with a target)")
      .argument("[to-env...]", "the environment, optionally after `to` (or --env; default: the detected one)")
      .addHelpText("after", examples("tradeops lock status production", "tradeops lock status argo staging --json")),
    async () => (await import("../commands/lock.js")).lockStatusCommand,
  );
  on(
    lock
      .command("break")
      .description("remove a deploy lock (a crashed deploy's); recorded in the history with the reason")
      .argument("<project>", "project name")
      .argument("[to-env...]", "the environment, optionally after `to` (or --env; default: the detected one)")
      .requiredOption("--reason <text>", "why it is safe to break (recorded)")
      .addHelpText("after", examples('tradeops lock break argo production --reason "deploy host rebooted"')),
    async () => (await import("../commands/lock.js")).lockBreakCommand,
  );
}
