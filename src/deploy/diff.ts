/** Reads a unified diff (`git diff --unified=0`) into the lines it adds, each with its file and line number. */
import { boundedRegExp } from "../validation/safe-regex.js";

export interface AddedLine {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Every added line of a diff; removed and unchanged lines, and binary files, are ignored. */
export function addedLines(diff: string): AddedLine[] {
  const out: AddedLine[] = [];
  let file: string | undefined;
  let next = 0;
  for (const raw of diff.split("\n")) {
    if (raw.startsWith("diff --git ")) {
      file = undefined;
      continue;
    }
    if (raw.startsWith("+++ ")) {
      const target = raw.slice(4);
      file = target === "/dev/null" ? undefined : unquote(target).replace(/^b\//, "");
      continue;
    }
    const hunk = HUNK.exec(raw);
    if (hunk) {
      next = Number(hunk[1]);
      continue;
    }
    if (file && raw.startsWith("+")) {
      out.push({ file, line: next, text: raw.slice(1) });
      next++;
    }
  }
  return out;
}

/** git quotes paths with unusual characters: `"b/a\tb.txt"`. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  try {
    return JSON.parse(path) as string;
  } catch {
    return path.slice(1, -1);
  }
}

export interface QualityFinding {
  readonly file: string;
  readonly line: number;
  /** the pattern that matched; the line itself is never repeated (it may hold anything, even a key) */
  readonly pattern: string;
}

/** Added lines matching any refused pattern (regular expressions from the policy). */
export function findRefused(lines: readonly AddedLine[], patterns: readonly string[]): QualityFinding[] {
  // the manifest's rules refused unsafe patterns already; bounded here too, for library callers
  const compiled = patterns.map((p) => ({ source: p, re: boundedRegExp(p) }));
  const findings: QualityFinding[] = [];
  for (const added of lines) {
    for (const { source, re } of compiled) {
      if (re.test(added.text)) {
        findings.push({ file: added.file, line: added.line, pattern: source });
        break;
      }
    }
  }
  return findings;
}
