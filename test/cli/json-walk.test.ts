/**
 * `--json` everywhere: every command of the program, run with --json against a copy of the example desk, prints
 * exactly one JSON document on standard output (or NDJSON records for the streaming forms) and nothing else.
 * The table must name every command, so a new command cannot ship without its JSON form.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { cli, copyWorkspace } from "../helpers/cli.js";

/** Arguments that make each command finish on its own in a fresh desk (an error is a JSON document too). */
const ARGS: Record<string, readonly string[] | "ndjson" | "exempt"> = {
  env: [],
  projects: [],
  "config show": ["argo"],
  "config check": [],
  "config example": ["argo"],
  "secrets check": [],
  "secrets scan": [],
  "accounts check": [],
  // the child's own output is the output: tradeops adds nothing to standard output
  run: "exempt",
  backtest: ["argo", "--from", "2019-01-01", "--to", "2019-03-31"],
  "backtest list": [],
  "backtest show": ["argo@latest"],
  "backtest compare": ["argo@latest", "argo@latest"],
  serve: ["argo", "--mode", "backtest", "--port", "0"],
  halt: ["argo", "--port", "1"],
  resume: ["argo", "--port", "1"],
  "signals append": ["argo"],
  "signals verify": [],
  "signals anchor": [],
  "signals tail": [],
  "signals export": "ndjson",
  "signals prune": ["--dry-run"],
  health: ["all", "--level", "1"],
  up: ["nosuch"],
  start: ["nosuch"],
  stop: [],
  restart: ["nosuch"],
  status: [],
  logs: [],
  "generate systemd": [],
  "generate github-actions": [],
  "generate compose": [],
  "generate kubernetes": [],
  "generate all": ["--out", "deploy"],
  init: [],
  "new strategy": ["momo"],
  "new service": ["quotes"],
  migrate: [],
  "hooks install": [],
  "hooks run": ["pre-commit"],
  // the background supervisor itself, in the foreground until stopped (systemd's ExecStart)
  "supervisor run": "exempt",
  "supervisor stop": [],
  deploy: ["argo", "--to", "staging", "--dry-run"],
  gates: ["nosuch", "--to", "staging"],
  rollback: ["argo", "--env", "staging"],
  releases: ["argo", "--env", "staging"],
  history: [],
  "lock status": ["--env", "staging"],
  "lock break": ["argo", "--env", "staging", "--reason", "test"],
  "target status": ["argo", "--env", "staging"],
  "target logs": ["argo", "--env", "staging"],
  "target stop": ["argo", "--env", "staging"],
  // nothing deployed yet: an error document
  "target start": ["argo", "--env", "staging"],
  // --json without --yes: an error document, nothing removed
  "target remove": ["argo", "--env", "staging"],
  "target proxy": ["argo", "--env", "staging"],
  completion: ["bash"],
  // a long-running server: a bad port makes it answer (an error document) instead of serving
  console: ["--port", "-1"],
  // no channel in the desk's development: an error document
  "notify test": [],
};

/** Commands that run: the leaves, and a group that takes arguments itself (`backtest PROJECT` beside `backtest list`). */
function leaves(command: Command, prefix: string[] = []): string[] {
  if (!command.commands.length) return [prefix.join(" ")];
  const self = prefix.length && command.registeredArguments.length ? [prefix.join(" ")] : [];
  return [...self, ...command.commands.flatMap((c) => leaves(c, [...prefix, c.name()]))];
}

const program = buildProgram("0.0.0", async () => undefined);
const commands = leaves(program);

describe("--json on every command", () => {
  it("the table names every command of the program, and nothing else", () => {
    expect(Object.keys(ARGS).sort()).toEqual([...commands].sort());
  });

  const runnable = commands.filter((name) => ARGS[name] !== "exempt");
  it.each(runnable)("%s --json prints one JSON document and nothing else", { timeout: 60_000 }, async (name) => {
    const desk = copyWorkspace();
    const spec = ARGS[name]!;
    const args = spec === "ndjson" ? [] : (spec as string[]);
    const env = { PATH: process.env.PATH, HOME: desk, TRADEOPS_STATE_DIR: `${desk}/.tradeops/state` };
    const result = await cli([...name.split(" "), ...args, "--json"], { cwd: desk, env });
    const text = result.stdout.trim();
    if (spec === "ndjson") {
      // records, one per line; an error is still one document
      const lines = text ? text.split("\n") : [];
      if (result.code !== 0) expect(JSON.parse(text).ok).toBe(false);
      else for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      return;
    }
    let parsed: unknown;
    expect(
      () => {
        parsed = JSON.parse(text);
      },
      `stdout of ${name}: ${text.slice(0, 300)}\nstderr: ${result.stderr.slice(0, 300)}`,
    ).not.toThrow();
    expect(typeof parsed).toBe("object");
    if (result.code !== 0) expect((parsed as { ok?: boolean }).ok, `${name} exited ${result.code}`).toBe(false);
  });
});
