/**
 * A shop's own template (`config.json.example`, `.env.example`): committed, holding placeholders, kept by hand.
 * `config check` holds it to the base file it stands for: the same keys both ways, and placeholders or harmless
 * defaults as values, never secrets.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, relative } from "node:path";
import { parse as parseDotenv } from "dotenv";
import type { Problem } from "../errors.js";
import { parseStructured } from "../validation/document.js";
import { KNOWN_SECRET_SHAPES } from "../validation/secret-shapes.js";
import { valueAt } from "../validation/zod-issues.js";
import { isDotenvFile } from "./dotenv-layer.js";
import { isSecretLikeKey, leafKeys } from "./load.js";

/** A template the shop writes (name ends in `.example`), rather than the YAML example tradeops generates. */
export function isShopTemplate(path: string): boolean {
  return basename(path).endsWith(".example");
}

/** A file's keys and values as a template sees them: dotted keys for YAML/JSON, variable names for dotenv. */
function readKeys(path: string, file: string): { values?: Map<string, unknown>; problems: Problem[] } {
  const text = readFileSync(path, "utf8");
  if (isDotenvFile(path)) return { values: new Map(Object.entries(parseDotenv(text))), problems: [] };
  const doc = parseStructured(text, file);
  if (doc.problems.length) return { problems: [...doc.problems] };
  return { values: new Map(leafKeys(doc.data).map((k) => [k, valueAt(doc.data, k.split("."))])), problems: [] };
}

/**
 * Compares a template with the file it stands for (the base layer): the same keys, and placeholders for secrets.
 * @param reference the base config file, when the project has one
 */
export function checkTemplate(path: string, root: string, reference?: string): Problem[] {
  const file = relative(root, path);
  if (!existsSync(path)) return [{ file, message: "template file is missing" }];
  const template = readKeys(path, file);
  if (!template.values) return template.problems;
  const base = reference && existsSync(reference) ? readKeys(reference, relative(root, reference)).values : undefined;
  const problems: Problem[] = [];
  const known = new Set(base?.keys() ?? []);
  const where = reference ? relative(root, reference) : "";
  for (const key of known)
    if (!template.values.has(key))
      problems.push({ file, key, message: `is in ${where} but missing from the template` });
  for (const [key, value] of template.values) {
    if (base && !known.has(key)) problems.push({ file, key, message: `is in the template but not in ${where}` });
    if (typeof value !== "string" || !value) continue;
    if (KNOWN_SECRET_SHAPES.some((s) => s.pattern.test(value)) || (isSecretLikeKey(key) && value.length >= 16))
      problems.push({ file, key, message: "holds what looks like a real secret: a template holds placeholders" });
  }
  return problems;
}
