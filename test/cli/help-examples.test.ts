/**
 * Every example in `--help` is a command line the CLI accepts: its command exists, its flags are the command's (or
 * global ones), its choices are allowed and no argument is missing. Parsed, never run.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";

const program = () => {
  const p = buildProgram("0.0.0", async () => undefined);
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(p);
  return p;
};

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (t) => (text += t), writeErr: () => undefined });
  command.outputHelp();
  return text;
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

/** `A=1 tradeops x --flag "two words"  # note` → ["x", "--flag", "two words"] */
function argvOf(line: string): string[] | undefined {
  const words = [...line.replace(/\s+#.*$/, "").matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) words.shift();
  if (words[0] !== "tradeops") return undefined;
  // stop at a pipe or a redirection: what follows belongs to the shell
  const end = words.findIndex((w) => ["|", ">", "&&", ";"].includes(w));
  return words.slice(1, end === -1 ? undefined : end);
}

describe("--help examples", () => {
  const examples = allCommands(program()).flatMap((command) =>
    [...helpOf(command).matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1]!),
  );

  it("there are examples to check, and a line the CLI refuses would be caught", async () => {
    expect(examples.length).toBeGreaterThan(100);
    for (const bad of ["tradeops health argo --level 4", "tradeops config check --all-env", "tradeops run"])
      await expect(program().parseAsync(argvOf(bad)!, { from: "user" }), bad).rejects.toThrow();
  });

  it("each one parses: known command, known flags, allowed values, required arguments given", async () => {
    const refused: string[] = [];
    for (const line of new Set(examples)) {
      const argv = argvOf(line);
      if (!argv) continue;
      try {
        await program().parseAsync(argv, { from: "user" });
      } catch (error) {
        refused.push(`${line}  → ${(error as Error).message}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
