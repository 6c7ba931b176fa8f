/** What `init` and `migrate` read of an existing repository: its files, and the environment variables its code reads. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Directories never looked into: dependencies, build output, virtual environments, tool state. */
const SKIP = new Set([
  "node_modules",
  ".git",
  "dist",
  "build",
  ".next",
  "venv",
  ".venv",
  "env",
  "__pycache__",
  ".tradeops",
  ".pytest_cache",
  ".mypy_cache",
  "coverage",
]);
const MAX_DEPTH = 6;
const MAX_FILES = 20_000;

/** Every file below `root` (relative paths, `/`-separated, sorted), dependencies and build output left out. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    for (const name of readdirSync(dir).sort()) {
      if (SKIP.has(name)) continue;
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(path, relPath, depth + 1);
      else if (stat.isFile()) out.push(relPath);
    }
  };
  walk(root, "", 0);
  return out;
}

const CODE = /\.(py|ts|tsx|js|mjs|cjs|jsx|go|rb)$/;
/**
 * os.getenv("X"), os.environ["X"], os.environ.get("X") (and `getenv`/`environ` imported from os), process.env.X,
 * process.env["X"], `const { X, Y: y } = process.env`, import.meta.env.X, os.Getenv("X"), ENV["X"].
 */
const READS: readonly [RegExp, string][] = [
  [/(?<![\w.])(?:os\.)?getenv\(\s*["']([A-Z][A-Z0-9_]*)["']/g, "os.getenv"],
  [/(?<![\w.])(?:os\.)?environ(?:\.get)?[[(]\s*["']([A-Z][A-Z0-9_]*)["']/g, "os.environ"],
  [/process\.env\.([A-Z][A-Z0-9_]*)/g, "process.env"],
  [/process\.env\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]/g, "process.env"],
  [/import\.meta\.env\.([A-Z][A-Z0-9_]*)/g, "import.meta.env"],
  [/os\.Getenv\(\s*"([A-Z][A-Z0-9_]*)"/g, "os.Getenv"],
  [/ENV\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]/g, "ENV"],
];

export function isCodeFile(file: string): boolean {
  return CODE.test(file) && !/(^|\/)(tests?|__tests__)\//.test(file);
}

/** Every read of an environment variable in a source file: the name, its line and the call that reads it. */
export function variablesReadAt(text: string): { name: string; line: number; how: string }[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const lineOf = (at: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const out: { name: string; line: number; how: string; at: number }[] = [];
  for (const [pattern, how] of READS)
    for (const m of text.matchAll(pattern)) {
      const at = m.index ?? 0;
      out.push({ name: m[1]!, line: lineOf(at), how, at });
    }
  // destructuring: const { DATABASE_URL, JWT_SECRET: secret = "" } = process.env
  for (const m of text.matchAll(/\{([^{}]*)\}\s*=\s*process\.env\b/g)) {
    const at = m.index ?? 0;
    for (const part of m[1]!.split(",")) {
      const name = part.trim().match(/^([A-Z][A-Z0-9_]*)\b/)?.[1];
      if (name) out.push({ name, line: lineOf(at + m[0].indexOf(name)), how: "process.env", at });
    }
  }
  return out.sort((a, b) => a.at - b.at).map(({ name, line, how }) => ({ name, line, how }));
}

/** Keys of a dotenv file (values are never kept). */
export function dotenvKeys(text: string): string[] {
  const keys: string[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/);
    if (m) keys.push(m[1]!);
  }
  return keys;
}

/** The value of one key of a dotenv file, for keys that are not secrets (the environment's name, a port). */
export function dotenvValue(text: string, key: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (m && m[1] === key)
      return m[2]!
        .replace(/\s+#.*$/, "")
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2");
  }
  return undefined;
}

export function readText(root: string, file: string): string {
  try {
    return readFileSync(join(root, file), "utf8");
  } catch {
    return "";
  }
}
