/** Gates 3, 4 and 5: the project's own test, lint and build commands, on this machine, in the project's directory. */
import { tail } from "../../exec/command.js";
import { fail, type GateContext, type GateVerdict, pass, skip } from "./context.js";

/** A gate command may run this long before it counts as failed. */
export const GATE_COMMAND_TIMEOUT_MS = 15 * 60_000;

type Kind = "test" | "lint" | "build";

/** Runs one kind of command for every tested project; the verdict names each project's outcome. */
export async function commandGate(ctx: GateContext, kind: Kind): Promise<GateVerdict> {
  const ran: string[] = [];
  const missing: string[] = [];
  const failures: string[] = [];
  for (const name of ctx.tested) {
    const project = ctx.workspace.projects[name]!;
    const line = project.commands[kind];
    if (!line) {
      missing.push(name);
      continue;
    }
    const result = await ctx.runProjectCommand(line, project.dir);
    ran.push(`${name} (${(result.durationMs / 1000).toFixed(1)} s)`);
    if (result.code !== 0) {
      const output = tail(result.stderr.trim() ? result.stderr : result.stdout, 8);
      const how = result.timedOutAfterMs
        ? `timed out after ${Math.round(result.timedOutAfterMs / 1000)} s (its process group was killed)`
        : `exited ${result.code}`;
      failures.push(`${name}: ${kind} command \`${line}\` ${how}`, ...output.split("\n").map((l) => `  ${l}`));
    }
  }
  const none = missing.length ? `; no ${kind} command: ${missing.join(", ")}` : "";
  if (failures.length) return fail(`${kind} failed`, failures);
  if (!ran.length) return skip(`no ${kind} command in ${ctx.tested.join(", ")}`);
  return pass(`${ran.join(", ")} passed${none}`);
}
