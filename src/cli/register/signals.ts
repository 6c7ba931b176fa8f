/** The signals commands: names, flags, help and examples; each action loads its module on demand. */
import { type Command, Option } from "commander";
import { examples, type On } from "../program.js";

const load = async () => import("../commands/signals.js");

export function registerSignalsCommands(program: Command, on: On): void {
  const signals = program
    .command("signals")
    .description("the hash-chained signal log of an environment: append, verify, tail, export, prune");

  on(
    signals
      .command("append")
      .description("append NDJSON records from standard input to a project's chain (all or nothing; any language)")
      .argument("<project>", "project name: the chain the records join")
      .addHelpText(
        "after",
        examples(
          `echo '{"kind":"signal","strategy":"zscore","payload":{"symbol":"SPY","side":"buy"}}' | tradeops signals append signal-lab`,
          "python3 emit.py | tradeops signals append signal-lab --env production --json",
        ),
      ),
    async () => (await load()).signalsAppendCommand,
  );

  on(
    signals
      .command("verify")
      .description("recompute every hash and link; name the first bad record and why (exit 1 on any break)")
      .argument("[project]", "project name (default: every chain of the environment)")
      .option(
        "--expect-head <seq:hash>",
        "a head saved elsewhere (`signals anchor`): that record must still have that hash",
      )
      .option(
        "--anchors <file>",
        "a file of saved heads, one `ENV/PROJECT SEQ:HASH` per line (`signals anchor --append`)",
      )
      .addHelpText(
        "after",
        examples(
          "tradeops signals verify",
          "tradeops signals verify argo --env production",
          "tradeops signals verify --env prod --json",
          "tradeops signals verify argo --env prod --expect-head 1042:3f5a9c…",
          "tradeops signals verify --env prod --anchors /mnt/audit/signal-anchors.txt",
        ),
      ),
    async () => (await load()).signalsVerifyCommand,
  );

  on(
    signals
      .command("anchor")
      .description("print each chain's head as `ENV/PROJECT SEQ:HASH`, the value to save outside the store")
      .argument("[project]", "project name (default: every chain of the environment)")
      .option("--append <file>", "also append the lines to this file (created 0600)")
      .addHelpText(
        "after",
        examples(
          "tradeops signals anchor --env production",
          "tradeops signals anchor argo --env prod --append /mnt/audit/signal-anchors.txt",
          "tradeops signals anchor --env prod --json",
        ),
      ),
    async () => (await load()).signalsAnchorCommand,
  );

  on(
    signals
      .command("tail")
      .description("print the newest records; with -f keep printing new ones until interrupted")
      .argument("[project]", "project name (default: every project)")
      .option("-n, --lines <count>", "how many records to show first", "10")
      .option("-f, --follow", "wait for new records (Ctrl-C stops)")
      .addHelpText(
        "after",
        examples("tradeops signals tail", "tradeops signals tail argo -n 50", "tradeops signals tail argo -f"),
      ),
    async () => (await load()).signalsTailCommand,
  );

  on(
    signals
      .command("export")
      .description("write records as CSV or JSON lines, optionally within a time range")
      .argument("[project]", "project name (default: every project)")
      .addOption(new Option("--format <format>", "output format").choices(["csv", "jsonl"]).default("jsonl"))
      .option("--from <time>", "first time included: 2025-01-31 or 2025-01-31T14:30:00Z (UTC)")
      .option("--to <time>", "last time included; a date covers the whole day")
      .option("-o, --output <file>", "write to a file instead of standard output")
      .addHelpText(
        "after",
        examples(
          "tradeops signals export argo --format csv > argo.csv",
          "tradeops signals export --env production --from 2025-01-01 --to 2025-03-31 -o q1.jsonl",
        ),
      ),
    async () => (await load()).signalsExportCommand,
  );

  on(
    signals
      .command("prune")
      .description("delete records older than the environment's retention, keeping a chained checkpoint at the cut")
      .argument("[project]", "project name (default: every chain of the environment)")
      .option("--dry-run", "show what would be deleted; change nothing")
      .addHelpText(
        "after",
        examples(
          "tradeops signals prune --dry-run",
          "tradeops signals prune --env production",
          "tradeops signals prune argo --json",
        ),
      ),
    async () => (await load()).signalsPruneCommand,
  );
}
