/**
 * Gate 8: no refused pattern (`console.log`, `debugger`, `TODO`, `FIXME`, or the policy's own) in what ships — the
 * lines the deploy adds since the target's deployed commit, or, on a first deploy (nothing deployed to diff against),
 * every line of every file of the artifact (of a static frontend or a coupled member without a target: every tracked
 * file of its directory). quality-scope.ts says what is read. Findings name file and line, never the line itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AddedLine, addedLines, findRefused } from "../diff.js";
import { fail, type GateContext, type GateVerdict, pass, skip } from "./context.js";
import { qualityScope } from "./quality-scope.js";

export async function qualityGate(ctx: GateContext): Promise<GateVerdict> {
  const patterns = ctx.policy.refusePatterns;
  if (!patterns.length) return skip(`the ${ctx.environment} policy refuses no pattern`);
  const findings: string[] = [];
  const scanned: string[] = [];
  const unscanned: string[] = [];
  for (const { project, base, paths, shipped } of qualityScope(ctx)) {
    const artifact = ctx.artifacts.get(project);
    let lines: AddedLine[];
    if (base) {
      lines = addedLines(await ctx.git.diff(base, ctx.worktree ? "worktree" : "HEAD", paths));
      scanned.push(`${project}: ${lines.length} added line${lines.length === 1 ? "" : "s"} since ${base.slice(0, 7)}`);
    } else if (artifact && shipped) {
      lines = fileLines(artifact.dir, paths);
      scanned.push(
        `${project}: first deploy, every line of the artifact's ${paths.length} file${paths.length === 1 ? "" : "s"}`,
      );
    } else {
      // a static frontend's sources or a coupled member without a target: every tracked line of its directory
      const files = await ctx.git.trackedFiles(paths);
      if (!files.length) {
        unscanned.push(project);
        continue;
      }
      lines = fileLines(ctx.workspace.root, files);
      scanned.push(
        `${project}: first deploy, every line of its ${files.length} tracked file${files.length === 1 ? "" : "s"}`,
      );
    }
    for (const f of findRefused(lines, patterns)) findings.push(`${f.file}:${f.line}: matches /${f.pattern}/`);
  }
  if (findings.length) {
    return fail(`${findings.length} line${findings.length === 1 ? " holds" : "s hold"} refused patterns`, findings);
  }
  if (unscanned.length && ctx.policy.neverSkip.includes(8)) {
    return fail(
      `first deploy of ${unscanned.join(", ")} to ${ctx.environment} with no artifact to scan, and the policy never lets gate 8 be skipped`,
      [`pass --since REF (for instance the commit running in staging) to scan the lines added since then`],
    );
  }
  if (!scanned.length) return skip(`no artifact of ${unscanned.join(", ")} to scan`);
  const rest = unscanned.length ? `; not scanned (no artifact): ${unscanned.join(", ")}` : "";
  return pass(`${scanned.join(", ")}: clean${rest}`);
}

/** Every line of the text files under `dir`, as if each were added (binary files, holding NUL, are left out). */
function fileLines(dir: string, files: readonly string[]): AddedLine[] {
  const out: AddedLine[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(dir, file), "utf8");
    } catch {
      continue; // a symlink to a directory, or to nothing: no lines of its own
    }
    if (text.includes("\0")) continue;
    text.split("\n").forEach((line, i) => {
      out.push({ file, line: i + 1, text: line });
    });
  }
  return out;
}
