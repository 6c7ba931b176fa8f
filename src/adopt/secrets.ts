/** Which names `init` treats as secrets and where it saw each (file:line): values are read to classify, never kept. */
import { parseStructured } from "../validation/document.js";
import { isSecretName as isSecretNameRule } from "../validation/secret-shapes.js";
import { isProcessCritical } from "../workspace/rules.js";
import { readText, type variablesReadAt } from "./scan.js";

export interface SecretFinding {
  /** the variable (`ALPACA_API_KEY`) or the dotted config key (`alpaca.dev.api_key`) */
  readonly name: string;
  /** relative to the repository root */
  readonly file: string;
  readonly line?: number;
  /** how it was seen: `os.getenv`, `dotenv`, `config`, `credentials in the URL` … */
  readonly how: string;
  readonly kind: "variable" | "config";
  /** a config template's placeholder says the value lives in AWS Secrets Manager (`FROM_AWS_SECRETS`) */
  readonly store?: "aws-secrets";
}

export function isSecretName(name: string): boolean {
  // `PWD` is the shell's directory, `TRADEOPS_*` tradeops' own: never a secret to declare
  if (!name.includes(".") && isProcessCritical(name)) return false;
  return isSecretNameRule(name);
}

/** `postgres://user:password@host/db`, `redis://:password@host`: a URL that holds credentials. */
export function hasCredentials(value: unknown): boolean {
  return typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i.test(value.trim());
}

/** Secret-looking variables among a code file's reads (`variablesReadAt`), each with its line. */
export function secretsInCode(file: string, reads: ReturnType<typeof variablesReadAt>): SecretFinding[] {
  return reads
    .filter((v) => isSecretName(v.name))
    .map((v) => ({ name: v.name, file, line: v.line, how: v.how, kind: "variable" as const }));
}

/** Keys of a dotenv file named like a secret or holding a URL with credentials. */
export function secretsInDotenv(root: string, file: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  readText(root, file)
    .split("\n")
    .forEach((line, i) => {
      const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
      if (!m) return;
      const value = m[2]!
        .replace(/\s+#.*$/, "")
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2");
      if (isSecretName(m[1]!)) out.push({ name: m[1]!, file, line: i + 1, how: "dotenv", kind: "variable" });
      else if (hasCredentials(value))
        out.push({ name: m[1]!, file, line: i + 1, how: "credentials in the URL", kind: "variable" });
    });
  return out;
}

/** Dotted keys of a JSON/YAML config file named like a secret or holding a URL with credentials. */
export function secretsInConfig(root: string, file: string): SecretFinding[] {
  const text = readText(root, file);
  const doc = parseStructured(text.replace(/\/\/[^\n"]*$/gm, ""), file.replace(/\.(example|sample|template)$/, ""));
  if (doc.problems.length) return [];
  const out: SecretFinding[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    const how = isSecretName(path.join(".")) ? "config" : hasCredentials(value) ? "credentials in the URL" : undefined;
    if (!how) return;
    const store =
      typeof value === "string" && /^FROM_AWS_SECRETS?(_MANAGER)?$|^FROM_SECRETS_MANAGER$/i.test(value)
        ? ("aws-secrets" as const)
        : undefined;
    const line = doc.locate(path, true)?.line;
    out.push({ name: path.join("."), file, line, how, kind: "config", ...(store ? { store } : {}) });
  };
  walk(doc.data, []);
  return out;
}

/** `main.py:7 (os.getenv)`: where a finding was seen, for the output. */
export function describeFinding(f: SecretFinding): string {
  const how = f.kind === "variable" ? f.how : `config ${f.name}${f.how === "config" ? "" : `: ${f.how}`}`;
  return `${f.file}${f.line ? `:${f.line}` : ""} (${how})`;
}

/**
 * What makes a command line carry a secret: a flag named like one with a literal value (`--api-key PK…`,
 * `--token=…`) or a URL with credentials; `--api-key "$API_KEY"` reads it from the environment and is fine.
 */
export function secretOnCommandLine(command: string): string | undefined {
  const tokens = command.split(/\s+/).map((t) => t.replace(/^["']|["']$/g, ""));
  for (const [i, token] of tokens.entries()) {
    if (hasCredentials(token)) return "a URL with credentials";
    const m = token.match(/^--?([A-Za-z][\w-]*)(?:=(.*))?$/);
    if (!m || !isSecretName(m[1]!.replaceAll("-", "_"))) continue;
    const value = m[2] ?? tokens[i + 1];
    if (value && !value.startsWith("$") && !value.startsWith("-")) return `--${m[1]}`;
  }
  return undefined;
}
