/**
 * The pre-commit hook: what is staged may not mix unrelated projects (gate 2's rule: coupled groups and shared
 * paths), add literal secrets (the rules of `secrets scan`) or add refused patterns (gate 8's). Pure checks over
 * the staged diff, plus the two git calls and the hook file around them.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { findMixedCommits } from "../deploy/changes.js";
import { addedLines, findRefused } from "../deploy/diff.js";
import { TroError } from "../errors.js";
import { type ScanFinding, scanAddedLines } from "../secrets/scan-lines.js";
import { DEFAULT_POLICY } from "../workspace/defaults.js";
import type { Workspace } from "../workspace/types.js";

export const HOOK_MARKER = "# tradeops pre-commit hook";
const NOT_SCANNED = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$|\.schema\.json$/;
const NOT_CODE = /(^|\/)(tests?|__tests__)\/|\.(md|txt|lock)$/;

export interface StagedChanges {
  /** staged files, relative to the workspace root */
  readonly files: readonly string[];
  /** `git diff --cached --unified=0` of them */
  readonly diff: string;
}

export interface HookReport {
  readonly ok: boolean;
  readonly files: number;
  /** the unrelated groups of projects the staged files touch, when more than one */
  readonly mixed: readonly (readonly string[])[];
  readonly secrets: readonly ScanFinding[];
  readonly refused: readonly { file: string; line: number; pattern: string }[];
}

/** Reads what is staged, paths relative to the workspace root (which may be below the repository's): one git call. */
export function readStaged(root: string): StagedChanges {
  let diff: string;
  try {
    diff = execFileSync(
      "git",
      [
        "-c",
        "core.quotepath=off",
        "diff",
        "--cached",
        "--unified=0",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--relative",
      ],
      { cwd: root, maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] },
    ).toString();
  } catch (cause) {
    throw new TroError("TRO_ERR_USAGE", `Cannot read what is staged in ${root}: it is not in a git repository.`, {
      cause,
      hint: "The pre-commit hook runs inside a git repository.",
    });
  }
  return { files: stagedFiles(diff), diff };
}

/** The files of a diff, from its `diff --git a/P b/P` headers (without renames both sides name the same path). */
export function stagedFiles(diff: string): string[] {
  const files: string[] = [];
  for (const line of diff.split("\n")) {
    if (!line.startsWith("diff --git ")) continue;
    const rest = line.slice("diff --git ".length);
    const quoted = rest.match(/^"a\/(.*)" "b\/(.*)"$/);
    if (quoted) files.push(JSON.parse(`"${quoted[2]}"`) as string);
    else files.push(rest.slice(2, (rest.length - 1) / 2));
  }
  return files;
}

/** The strictest refused patterns the workspace declares: production's policy, else the defaults. */
function refusePatterns(workspace: Workspace): readonly string[] {
  return workspace.policies.production?.refusePatterns ?? DEFAULT_POLICY.refusePatterns;
}

export function checkStaged(workspace: Workspace, staged: StagedChanges): HookReport {
  const [commit] = findMixedCommits(workspace, [{ sha: "staged", subject: "", files: staged.files }]);
  const added = addedLines(staged.diff).filter((l) => !NOT_SCANNED.test(l.file));
  const byFile = new Map<string, { line: number; text: string }[]>();
  for (const l of added) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l]);
  const secrets = [...byFile].flatMap(([file, lines]) => scanAddedLines(file, lines));
  const refused = findRefused(
    added.filter((l) => !NOT_CODE.test(l.file)),
    refusePatterns(workspace),
  );
  const mixed = commit?.groups ?? [];
  return {
    ok: !mixed.length && !secrets.length && !refused.length,
    files: staged.files.length,
    mixed,
    secrets,
    refused,
  };
}

/**
 * Refuses what the report found, each problem with its file and line; never the secret itself.
 * @throws TroError TRO_ERR_POLICY_REFUSED
 */
export function ensureCommitAllowed(report: HookReport): void {
  if (report.ok) return;
  const problems = [
    ...(report.mixed.length
      ? [{ message: `the commit mixes unrelated projects: ${report.mixed.map((g) => g.join(" + ")).join(" | ")}` }]
      : []),
    ...report.secrets.map((s) => ({
      file: s.file,
      line: s.line,
      key: s.key,
      message: `literal secret (${s.kind}, ${s.masked})`,
    })),
    ...report.refused.map((r) => ({
      file: r.file,
      line: r.line,
      message: `matches the refused pattern /${r.pattern}/`,
    })),
  ];
  throw new TroError("TRO_ERR_POLICY_REFUSED", "Commit refused by the tradeops pre-commit hook.", {
    problems,
    hint: report.mixed.length
      ? "Commit each project (or coupled group) on its own: `git restore --staged PATH` for the others."
      : "Remove the secret or pattern from the staged lines (secrets belong in a secret source), then commit again.",
  });
}

export interface InstallHookOptions {
  readonly root: string;
  /** argv that runs tradeops, e.g. [node, /…/bin/tradeops.js] */
  readonly tradeops: readonly string[];
  /** replace a pre-commit hook that tradeops did not write */
  readonly force?: boolean;
}

/**
 * Writes the git pre-commit hook (honouring core.hooksPath).
 * @throws TroError TRO_ERR_USAGE outside a git repository, or when another pre-commit hook exists and force is not set
 */
export function installHook(options: InstallHookOptions): string {
  let hooks: string;
  try {
    hooks = execFileSync("git", ["rev-parse", "--git-path", "hooks"], {
      cwd: options.root,
      stdio: ["ignore", "pipe", "pipe"],
    })
      .toString()
      .trim();
  } catch {
    throw new TroError("TRO_ERR_USAGE", `${options.root} is not in a git repository.`, {
      hint: "Run `git init` first.",
    });
  }
  const dir = isAbsolute(hooks) ? hooks : join(options.root, hooks);
  const path = join(dir, "pre-commit");
  if (existsSync(path) && !readFileSync(path, "utf8").includes(HOOK_MARKER) && !options.force) {
    throw new TroError("TRO_ERR_USAGE", `${path} exists and was not written by tradeops.`, {
      hint: "Call `tradeops hooks run pre-commit` from it, or pass --force to replace it.",
    });
  }
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      `${HOOK_MARKER} (tradeops hooks install): refuses commits that mix unrelated projects or add literal`,
      "# secrets or refused patterns. Skip it once with `git commit --no-verify`.",
      `exec ${options.tradeops.map(q).join(" ")} --workspace ${q(options.root)} hooks run pre-commit`,
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return path;
}
