/**
 * The artifact check nobody else does (deploy-anchors §6.10): refuse an artifact that holds a file meant to stay
 * on a laptop — local env files, env files with values, local JSON overlays, databases, logs, private keys, a
 * `config.json` holding secrets, and tests when the policy excludes them. Findings name the file and why, never
 * what is inside.
 */
import { basename } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { isPlaceholder } from "../config/check.js";
import { isDotenvFile } from "../config/dotenv-layer.js";
import { isSecretLikeKey, leafKeys } from "../config/load.js";
import { KNOWN_SECRET_SHAPES } from "../validation/secret-shapes.js";
import { valueAt } from "../validation/zod-issues.js";

export interface LocalOnlyFinding {
  readonly file: string;
  readonly reason: string;
}

export interface LocalOnlyOptions {
  /** refuse test files and directories */
  readonly excludeTests: boolean;
  /** project local overlays (`config.local`), relative to the workspace root */
  readonly localOverlays: readonly string[];
  /** declared base and environment config layers: a dotenv layer is config, refused only when it holds a secret */
  readonly configLayers?: readonly string[];
  /** reads a file of the artifact, for the checks that look inside */
  readonly read: (file: string) => string;
}

const BY_NAME: readonly { readonly test: RegExp; readonly reason: string }[] = [
  { test: /^\.env(\..+)?\.local$|^\.env\.local(\..+)?$/, reason: "a local env file" },
  { test: /\.local\.(json|ya?ml|toml)$/, reason: "a local-only overlay (*.local.*)" },
  { test: /\.(db|sqlite|sqlite3|db-journal|db-wal)$/, reason: "a database file" },
  { test: /\.log$/, reason: "a log file" },
  { test: /\.(pem|key|p12|pfx)$|^id_(rsa|ecdsa|ed25519|dsa)$/, reason: "a private key" },
];
const LOCAL_SCRIPT = /(^|\/)scripts\/local_[^/]*$/;
const TEST_DIR = /(^|\/)(tests?|__tests__|spec)\//;
const TEST_FILE = /\.(test|spec)\.[A-Za-z0-9]+$|_test\.(py|go)$|^test_.*\.py$/;
const ENV_TEMPLATE = /^\.env\.(example|sample|template|dist|defaults)$/;

/** Every local-only file in an artifact's file list, with the reason. */
export function findLocalOnly(files: readonly string[], options: LocalOnlyOptions): LocalOnlyFinding[] {
  const findings: LocalOnlyFinding[] = [];
  for (const file of files) {
    const name = basename(file);
    const reason =
      BY_NAME.find((r) => r.test.test(name))?.reason ??
      (options.localOverlays.includes(file) ? "the project's local config overlay" : undefined) ??
      (LOCAL_SCRIPT.test(file) ? "a local-only script (scripts/local_*)" : undefined) ??
      (options.excludeTests && (TEST_DIR.test(file) || TEST_FILE.test(name))
        ? "a test file (the policy excludes tests)"
        : undefined) ??
      insideCheck(file, name, options.read, options.configLayers?.includes(file) ?? false);
    if (reason) findings.push({ file, reason });
  }
  return findings;
}

function insideCheck(file: string, name: string, read: (file: string) => string, layer: boolean): string | undefined {
  if (layer && isDotenvFile(file)) {
    const entries = Object.entries(parseDotenv(safeRead(read, file)));
    const secret = entries.some(
      ([key, v]) => !isPlaceholder(v) && (isSecretLikeKey(key) || KNOWN_SECRET_SHAPES.some((s) => s.pattern.test(v))),
    );
    return secret ? "a config layer holding a secret value" : undefined;
  }
  if ((name === ".env" || name.startsWith(".env.")) && !ENV_TEMPLATE.test(name)) {
    const values = Object.values(parseDotenv(safeRead(read, file)));
    if (values.some((v) => !isPlaceholder(v))) return "an env file with values";
    return undefined;
  }
  if (name === "config.json") {
    let data: unknown;
    try {
      data = JSON.parse(safeRead(read, file));
    } catch {
      return undefined;
    }
    const secret = leafKeys(data).some((key) => {
      const value = valueAt(data, key.split("."));
      if (typeof value !== "string" || isPlaceholder(value)) return false;
      return isSecretLikeKey(key) || KNOWN_SECRET_SHAPES.some((s) => s.pattern.test(value));
    });
    if (secret) return "a config.json holding secrets";
  }
  return undefined;
}

function safeRead(read: (file: string) => string, file: string): string {
  try {
    return read(file);
  } catch {
    return "";
  }
}
