/**
 * `secrets scan`: literal secrets committed in config and env files — known credential shapes anywhere, and
 * high-entropy values under secret-looking keys. Findings name file, line and key, never the value.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { isPlaceholder } from "../config/check.js";
import { withoutTemplateSuffix } from "../config/dotenv-layer.js";
import { leafKeys } from "../config/load.js";
import { parseStructured } from "../validation/document.js";
import { entropy, isSecretName, KNOWN_SECRET_SHAPES } from "../validation/secret-shapes.js";
import { valueAt } from "../validation/zod-issues.js";
import type { ScanFinding } from "./scan-lines.js";
import { ENTROPY_THRESHOLD, MIN_SECRET_LENGTH, mask } from "./scan-lines.js";

export type { ScanFinding };

export { ENTROPY_THRESHOLD, MIN_SECRET_LENGTH };

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", ".tradeops", "venv", ".venv", "__pycache__"]);
const CONFIG_FILE = /\.(ya?ml|json|toml|ini|cfg|properties|env)$|^\.env/;
const NOT_CONFIG = /(package-lock|npm-shrinkwrap)\.json$|\.schema\.json$/;

export function scanForSecrets(root: string): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const file of candidateFiles(root)) {
    const path = join(root, file);
    const text = readFileSync(path, "utf8");
    const seen = new Set<string>();
    const add = (finding: ScanFinding) => {
      const id = `${finding.line}:${finding.key ?? ""}`;
      if (seen.has(id)) return;
      seen.add(id);
      findings.push(finding);
    };
    for (const [index, line] of text.split("\n").entries()) {
      for (const shape of KNOWN_SECRET_SHAPES) {
        const match = line.match(shape.pattern);
        if (match) add({ file, line: index + 1, kind: shape.name, masked: mask(match[0]) });
      }
    }
    // a line already named by its credential's shape needs no second finding for its key
    const shaped = new Set(findings.filter((f) => f.file === file).map((f) => f.line));
    for (const { key, value, line } of assignments(text, file)) {
      if (shaped.has(line)) continue;
      if (!isSecretName(key) || isPlaceholder(value) || value.length < MIN_SECRET_LENGTH) continue;
      if (entropy(value) >= ENTROPY_THRESHOLD)
        add({ file, line, key, kind: "high-entropy value under a secret-looking key", masked: mask(value) });
    }
  }
  return findings;
}

function assignments(text: string, file: string): { key: string; value: string; line: number }[] {
  const name = withoutTemplateSuffix(basename(file));
  if (name.startsWith(".env") || name.endsWith(".env")) {
    const parsed = parseDotenv(text);
    const lines = text.split("\n");
    return Object.entries(parsed).map(([key, value]) => ({
      key,
      value,
      line:
        lines.findIndex((l) =>
          l
            .trimStart()
            .replace(/^export\s+/, "")
            .startsWith(`${key}=`),
        ) + 1,
    }));
  }
  if (!/\.(ya?ml|json)$/.test(name)) return [];
  const doc = parseStructured(text, file);
  if (doc.problems.length) return [];
  return leafKeys(doc.data)
    .map((key) => ({
      key,
      value: valueAt(doc.data, key.split(".")),
      line: doc.locate(key.split("."), true)?.line ?? 0,
    }))
    .filter((a): a is { key: string; value: string; line: number } => typeof a.value === "string");
}

/** Tracked files in a git repository (what is committed), otherwise every file below the root. */
function candidateFiles(root: string): string[] {
  let files: string[];
  try {
    const top = execFileSync("git", ["rev-parse", "--show-toplevel"], {
      cwd: root,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    const listed = execFileSync("git", ["ls-files", "-z", "--", "."], {
      cwd: root,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .split("\0")
      .filter(Boolean);
    files = top ? listed : [];
  } catch {
    files = walk(root, root);
  }
  return files.filter((f) => {
    const name = basename(f);
    // templates (`config.json.example`, `.env.example`) are committed: scanned as the format they stand for
    const stands = withoutTemplateSuffix(name);
    return CONFIG_FILE.test(stands) && !NOT_CONFIG.test(stands) && existsSync(join(root, f));
  });
}

function walk(root: string, dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP_DIRS.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(root, path) : [relative(root, path)];
  });
}
