/**
 * A project's config schema, from a JSON Schema file or a TS/JS module exporting a zod schema, seen
 * through one interface: validate (collecting every problem) and a JSON Schema view for the rest
 * (types for environment variables, sensitive keys, per-environment optional keys, example files).
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { Ajv as AjvDefault } from "ajv";
import type * as z from "zod";

type AjvClass = typeof AjvDefault;

import { TroError } from "../errors.js";
import { ajvIssues, type SchemaIssue } from "../validation/ajv-issues.js";
import { parseStructured } from "../validation/document.js";
import { isSchema, type JsonSchema, matchesPattern, sensitivePatterns } from "../validation/json-schema.js";
import { readTextFile } from "../validation/read-file.js";
import { ajvRegExp } from "../validation/safe-regex.js";
import { moduleCacheOption } from "../workspace/module-cache.js";

export type { SchemaIssue };

export interface ConfigSchema {
  readonly kind: "json-schema" | "zod";
  /** the schema file, relative to the workspace root */
  readonly file: string;
  readonly json: JsonSchema;
  /** validates and returns the value with defaults applied, or every issue */
  validate(data: unknown): { value?: unknown; issues: SchemaIssue[] };
  isSensitive(key: string): boolean;
}

/** Keys marked optional for some (`["development"]`) or all (`true`) environments are exempt from parity. */
export function optionalIn(schema: JsonSchema): readonly string[] | true | undefined {
  const value = schema["x-optional-in"] ?? schema.optionalIn;
  if (value === true) return true;
  return Array.isArray(value) ? value.map(String) : undefined;
}

/**
 * Loads the schema at `path`.
 * @throws TroError TRO_ERR_CONFIG_SCHEMA when the file is missing, unreadable or exports no zod schema
 */
export async function loadConfigSchema(path: string, root: string): Promise<ConfigSchema> {
  // compiling a schema costs far more than reading it: a long-running process (the supervisor restarting a
  // service, a service reloading) compiles each schema file once per version of the file
  const key = `${path}\0${root}\0${statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const loading = loadUncached(path, root);
  compiled.set(key, loading);
  loading.catch(() => compiled.delete(key));
  return loading;
}

const compiled = new Map<string, Promise<ConfigSchema>>();

async function loadUncached(path: string, root: string): Promise<ConfigSchema> {
  const file = relative(root, path);
  if (/\.(m|c)?(t|j)s$/.test(path)) return loadZodSchema(path, file);
  const read = readTextFile(path);
  if (!read.ok) {
    throw new TroError("TRO_ERR_CONFIG_SCHEMA", `Cannot read config schema ${file}: it ${read.reason}.`, {
      problems: [{ file, message: `the schema file ${read.reason}` }],
      hint: "Point projects.<name>.config.schema at a JSON Schema file of reasonable size.",
    });
  }
  const doc = parseStructured(read.text, file);
  if (doc.problems.length || !isSchema(doc.data)) {
    throw new TroError("TRO_ERR_CONFIG_SCHEMA", `Config schema ${file} is not a JSON Schema object.`, {
      problems: doc.problems,
    });
  }
  return jsonSchemaSource(doc.data, file);
}

async function jsonSchemaSource(json: JsonSchema, file: string): Promise<ConfigSchema> {
  // ajv is CommonJS; require keeps its classes as they are and out of the CLI's start path
  const req = createRequire(import.meta.url);
  const is2020 = typeof json.$schema === "string" && json.$schema.includes("2020-12");
  const Ajv = (is2020 ? req("ajv/dist/2020").default : req("ajv").default) as AjvClass;
  const addFormats = req("ajv-formats").default as (ajv: unknown) => void;
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: true,
    coerceTypes: false,
    // a project's own `pattern`s run bounded: a catastrophic one is refused when the schema compiles
    code: { regExp: ajvRegExp },
  });
  addFormats(ajv);
  let check: ReturnType<typeof ajv.compile>;
  try {
    check = ajv.compile(json);
  } catch (cause) {
    throw new TroError("TRO_ERR_CONFIG_SCHEMA", `Config schema ${file} does not compile: ${(cause as Error).message}`, {
      cause,
    });
  }
  const patterns = sensitivePatterns(json);
  return {
    kind: "json-schema",
    file,
    json,
    isSensitive: (key) => patterns.some((p) => matchesPattern(key, p)),
    validate(data) {
      const copy = structuredClone(data);
      if (check(copy)) return { value: copy, issues: [] };
      return { issues: ajvIssues(check.errors ?? [], json) };
    },
  };
}

async function loadZodSchema(path: string, file: string): Promise<ConfigSchema> {
  let mod: Record<string, unknown>;
  try {
    const { createJiti } = await import("jiti");
    // schema modules may import zod without installing it: they get tradeops's own copy (one registry of metadata)
    const zodEntry = createRequire(import.meta.url).resolve("zod");
    const jiti = createJiti(pathToFileURL(path).href, {
      moduleCache: false,
      fsCache: moduleCacheOption(),
      alias: { zod: zodEntry },
    });
    mod = (await jiti.import(path)) as Record<string, unknown>;
  } catch (cause) {
    throw new TroError("TRO_ERR_CONFIG_SCHEMA", `Cannot load config schema module ${file}: ${firstLine(cause)}`, {
      cause,
    });
  }
  const candidates = [mod.default, mod.schema, mod.configSchema, ...Object.values(mod)];
  const schema = candidates.find(isZodSchema);
  if (!schema) {
    throw new TroError("TRO_ERR_CONFIG_SCHEMA", `Config schema module ${file} exports no zod schema.`, {
      hint: "Export the schema as the default export, or as `schema` or `configSchema`.",
    });
  }
  const zod = await import("zod");
  const json = zod.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const patterns = sensitivePatterns(json);
  return {
    kind: "zod",
    file,
    json,
    isSensitive: (key) => patterns.some((p) => matchesPattern(key, p)),
    validate(data) {
      const result = schema.safeParse(data);
      if (result.success) return { value: result.data, issues: [] };
      return { issues: splitUnknownKeys(result.error.issues).map(zodIssue) };
    },
  };
}

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value && "safeParse" in value;
}

function zodIssue(issue: z.core.$ZodIssue): SchemaIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  switch (issue.code) {
    case "unrecognized_keys":
      return { path: [...path, issue.keys[0] ?? "?"], kind: "unknown", message: "unknown key" };
    case "invalid_type":
      return {
        path,
        kind: issue.message.includes("received undefined") ? "missing" : "type",
        message: issue.message.includes("received undefined") ? "required key is missing" : "wrong type",
        expected: issue.expected,
      };
    case "invalid_value":
      return {
        path,
        kind: "value",
        message: "value not allowed",
        expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    default:
      return { path, kind: "value", message: issue.message.replace(/received .*/i, "").trim() || "invalid value" };
  }
}

/** zod reports several unknown keys in one issue; split them so that each is located. */
export function splitUnknownKeys(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue): z.core.$ZodIssue[] =>
    issue.code === "unrecognized_keys" ? issue.keys.map((key) => ({ ...issue, keys: [key] })) : [issue],
  );
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0] ?? "";
}
