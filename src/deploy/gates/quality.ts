/**
 * Gate 8: no refused pattern (`console.log`, `debugger`, `TODO`, `FIXME`, or the policy's own) in the lines the
 * deploy adds — only added lines, only files that ship in the artifact (and every coupled member's directory, see
 * quality-scope.ts). Findings name file and line.
 */
import { addedLines, findRefused } from "../diff.js";
import { fail, type GateContext, type GateVerdict, pass, skip } from "./context.js";
import { qualityScope } from "./quality-scope.js";

export async function qualityGate(ctx: GateContext): Promise<GateVerdict> {
  const patterns = ctx.policy.refusePatterns;
  if (!patterns.length) return skip(`the ${ctx.environment} policy refuses no pattern`);
  const findings: string[] = [];
  const scanned: string[] = [];
  const firsts: string[] = [];
  for (const { project, base, paths } of qualityScope(ctx)) {
    if (!base) {
      firsts.push(project);
      continue;
    }
    const diff = await ctx.git.diff(base, ctx.worktree ? "worktree" : "HEAD", paths);
    const lines = addedLines(diff);
    scanned.push(`${project}: ${lines.length} added line${lines.length === 1 ? "" : "s"} since ${base.slice(0, 7)}`);
    for (const f of findRefused(lines, patterns)) findings.push(`${f.file}:${f.line}: matches /${f.pattern}/`);
  }
  if (findings.length) {
    return fail(
      `${findings.length} added line${findings.length === 1 ? " holds" : "s hold"} refused patterns`,
      findings,
    );
  }
  if (firsts.length && ctx.policy.neverSkip.includes(8)) {
    return fail(
      `first deploy of ${firsts.join(", ")} to ${ctx.environment}: there is no deployed commit to diff against, and the policy never lets gate 8 be skipped`,
      [`pass --since REF (for instance the commit running in staging) to scan the lines added since then`],
    );
  }
  if (!scanned.length) {
    return skip(
      `first deploy of ${firsts.join(", ")} to ${ctx.environment}: no deployed commit to diff against (pass --since REF to scan a range)`,
    );
  }
  const first = firsts.length ? `; first deploy, not scanned: ${firsts.join(", ")}` : "";
  return pass(`${scanned.join(", ")}: clean${first}`);
}
