/**
 * Environment variables as the last config layer. Mapping rules (docs/config.md):
 * - only variables starting with the project's `envPrefix` are read; the detection variable is skipped;
 * - the rest of the name splits on `__` into nested keys: `ARGO_TRADING__AUTO_EXECUTE` → `trading.auto_execute`;
 *   a single `_` stays inside a key;
 * - each part is matched case-insensitively against the keys the schema (or the files) know, so camelCase
 *   keys work (`ARGO_RISK__MAXTRADEUSD` → `risk.maxTradeUsd`); an unknown part is lower-cased, and is an
 *   error when the schema does not allow extra keys;
 * - an empty value means "unset": the variable is ignored (and listed as ignored in `config show --sources`);
 * - the value is parsed by the schema's type at that key: booleans (true/false/1/0/yes/no/on/off), numbers,
 *   JSON for lists and objects, `null` for null; strings stay as written.
 */
import type { Problem } from "../errors.js";
import {
  isClosedObject,
  type JsonSchema,
  type JsonType,
  jsonTypeOfValue,
  propertyNames,
  schemasAt,
  typesOf,
} from "../validation/json-schema.js";
import { closest } from "../validation/suggest.js";
import { describeValue } from "../validation/zod-issues.js";

export interface EnvAssignment {
  readonly variable: string;
  readonly path: readonly string[];
  readonly value: unknown;
}

export interface EnvLayer {
  readonly assignments: readonly EnvAssignment[];
  readonly ignored: readonly string[];
  readonly problems: readonly Problem[];
}

export interface EnvLayerOptions {
  readonly prefix: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly schema?: JsonSchema;
  /** merged data of the file layers, for key names when there is no schema */
  readonly files: unknown;
  /** variables never read as config (the detection variable, secrets' own names) */
  readonly skip: ReadonlySet<string>;
  readonly isSensitive: (key: string) => boolean;
}

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

export function readEnvLayer(options: EnvLayerOptions): EnvLayer {
  const assignments: EnvAssignment[] = [];
  const ignored: string[] = [];
  const problems: Problem[] = [];
  const names = Object.keys(options.env)
    .filter((name) => name.startsWith(options.prefix) && !options.skip.has(name))
    .sort();
  for (const variable of names) {
    const raw = options.env[variable] ?? "";
    const parts = variable.slice(options.prefix.length).split("__");
    if (parts.some((p) => p === "")) {
      problems.push({ key: variable, message: "empty key segment: use single `__` between nested keys" });
      continue;
    }
    if (raw === "") {
      ignored.push(variable);
      continue;
    }
    const path: string[] = [];
    let failed = false;
    for (const part of parts) {
      const schemas = options.schema ? schemasAt(options.schema, path) : [];
      const known = new Set<string>(options.schema ? propertyNames(schemas, options.schema) : []);
      for (const k of Object.keys(objectAt(options.files, path))) known.add(k);
      const match = [...known].find((k) => k.toLowerCase() === part.toLowerCase());
      if (match) {
        path.push(match);
        continue;
      }
      if (options.schema && isClosedObject(schemas, options.schema)) {
        const hint = closest(part.toLowerCase(), known);
        problems.push({
          key: variable,
          message: `does not name a config key: no \`${part.toLowerCase()}\` under ${path.length ? `\`${path.join(".")}\`` : "the root"}${hint ? `; did you mean \`${hint}\`?` : ""}`,
        });
        failed = true;
        break;
      }
      path.push(part.toLowerCase());
    }
    if (failed) continue;
    const key = path.join(".");
    const fromSchema = options.schema ? typesOf(schemasAt(options.schema, path), options.schema) : new Set<JsonType>();
    const existing = valueIn(options.files, path);
    // without a schema, a key already in the files keeps its type (`off` for a boolean is false, not "off")
    const types = fromSchema.size || existing === undefined ? fromSchema : new Set([jsonTypeOfValue(existing)]);
    const parsed = parseValue(raw, types);
    if (!parsed.ok) {
      problems.push({
        key: variable,
        message: `cannot be read as ${parsed.expected} for \`${key}\``,
        expected: parsed.expected,
        got: describeValue(raw, options.isSensitive(key)),
      });
      continue;
    }
    assignments.push({ variable, path, value: parsed.value });
  }
  return { assignments, ignored, problems };
}

type Parsed = { ok: true; value: unknown } | { ok: false; expected: string };

export function parseValue(raw: string, types: ReadonlySet<JsonType>): Parsed {
  if (!types.size || types.has("string")) {
    if (types.has("boolean") && (TRUE.has(raw.toLowerCase()) || FALSE.has(raw.toLowerCase()))) {
      return { ok: true, value: TRUE.has(raw.toLowerCase()) };
    }
    return { ok: true, value: raw };
  }
  const lower = raw.trim().toLowerCase();
  if (types.has("null") && lower === "null") return { ok: true, value: null };
  if (types.has("boolean")) {
    if (TRUE.has(lower)) return { ok: true, value: true };
    if (FALSE.has(lower)) return { ok: true, value: false };
  }
  if (types.has("number") || types.has("integer")) {
    // decimal only: Number() would also read 0x10, 0b1, 0o7, " 12 " and 1_0-like typos as numbers
    const n = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isFinite(n) && (types.has("number") || Number.isInteger(n))) return { ok: true, value: n };
  }
  if (types.has("array") || types.has("object")) {
    try {
      const value = JSON.parse(raw) as unknown;
      if ((types.has("array") && Array.isArray(value)) || (types.has("object") && isPlainObject(value))) {
        return { ok: true, value };
      }
    } catch {
      // falls through to the error below
    }
  }
  const expected = [...types].filter((t) => t !== "null").join(" or ") || "a value";
  return {
    ok: false,
    expected: expected === "array" ? "a JSON list" : expected === "object" ? "a JSON object" : expected,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueIn(data: unknown, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const part of path) current = isPlainObject(current) ? current[part] : undefined;
  return current;
}

function objectAt(data: unknown, path: readonly string[]): Record<string, unknown> {
  let current: unknown = data;
  for (const part of path) current = isPlainObject(current) ? current[part] : undefined;
  return isPlainObject(current) ? current : {};
}
