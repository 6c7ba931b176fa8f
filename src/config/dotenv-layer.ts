/**
 * Dotenv files as config layers (`env.unified` + `.env.dev`, the shops' own layout): each variable maps onto a
 * config key by the environment-variable rules (prefix stripped, `__` nests, typed by the schema). An empty value
 * in the base file is the shops' "must be overridden" marker: a later layer has to set it. Templates named
 * `*.example` (`config.json.example`, `.env.example`) are read as the format before `.example`.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parse as parseDotenv } from "dotenv";
import type { Problem } from "../errors.js";
import type { JsonSchema } from "../validation/json-schema.js";
import { type EnvAssignment, readEnvLayer } from "./env-vars.js";

/** `config.json.example` → `config.json`: a template is read as the file it stands for. */
export function withoutTemplateSuffix(name: string): string {
  return name.endsWith(".example") ? name.slice(0, -".example".length) : name;
}

/** `.env`, `.env.dev`, `env.unified`, `backend.env` (and their `.example` templates) are dotenv files. */
export function isDotenvFile(path: string): boolean {
  const name = withoutTemplateSuffix(basename(path));
  return /^\.env(\..+)?$/.test(name) || /^env\.[^.]+$/.test(name) || /\.env$/.test(name);
}

export interface DotenvLayer {
  readonly assignments: readonly (EnvAssignment & { readonly line?: number })[];
  /** variables with an empty value: in a base file, each must be set by a later layer */
  readonly empty: readonly { readonly variable: string; readonly line?: number }[];
  readonly problems: readonly Problem[];
}

export interface DotenvLayerOptions {
  /** the project's envPrefix (stripped from names that start with it) */
  readonly prefix?: string;
  readonly schema?: JsonSchema;
  readonly files: unknown;
  readonly isSensitive: (key: string) => boolean;
}

/** Reads one dotenv file as a layer of config keys. */
export function readDotenvLayer(path: string, file: string, options: DotenvLayerOptions): DotenvLayer {
  const text = readFileSync(path, "utf8");
  const variables = parseDotenv(text);
  const lines = text.split("\n");
  const lineOf = (variable: string) => {
    const index = lines.findIndex((l) =>
      l
        .trimStart()
        .replace(/^export\s+/, "")
        .startsWith(`${variable}=`),
    );
    return index >= 0 ? index + 1 : undefined;
  };
  // names without the prefix are read whole: a dotenv file may mix BASIS_* keys and plain ones
  const prefix = options.prefix ?? "";
  const renamed: Record<string, string> = {};
  const original = new Map<string, string>();
  for (const [name, value] of Object.entries(variables)) {
    const key = prefix && name.startsWith(prefix) ? name : `${prefix}${name}`;
    renamed[key] = value;
    original.set(key, name);
  }
  const layer = readEnvLayer({
    prefix,
    env: renamed,
    schema: options.schema,
    files: options.files,
    skip: new Set(),
    isSensitive: options.isSensitive,
  });
  const name = (v: string) => original.get(v) ?? v;
  return {
    assignments: layer.assignments.map((a) => ({ ...a, variable: name(a.variable), line: lineOf(name(a.variable)) })),
    empty: layer.ignored.map((v) => ({ variable: name(v), line: lineOf(name(v)) })),
    problems: layer.problems.map((p) => ({
      ...p,
      file,
      key: p.key ? name(p.key) : p.key,
      line: p.key ? lineOf(name(p.key)) : undefined,
    })),
  };
}
