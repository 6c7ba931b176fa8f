/**
 * Layered configuration (SPEC §5): base file, environment overlay, local overlay, prefixed environment
 * variables; deep merge (later layers win, lists are replaced whole); validation against the project's
 * schema; a frozen result with the layer each key came from.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { extname, relative } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import { type Problem, TroError } from "../errors.js";
import { parseStructured, type StructuredDocument } from "../validation/document.js";
import { readTextFile } from "../validation/read-file.js";
import { isSecretLikeKey, isSecretName } from "../validation/secret-shapes.js";
import { describeValue, valueAt } from "../validation/zod-issues.js";
import { requireProject } from "../workspace/lookup.js";
import type { Project, Workspace } from "../workspace/types.js";
import { isDotenvFile, readDotenvLayer } from "./dotenv-layer.js";
import { readEnvLayer } from "./env-vars.js";
import { type ConfigSchema, loadConfigSchema } from "./schema-source.js";

export type LayerKind = "base" | "environment" | "local" | "env" | "default";

export interface Origin {
  readonly layer: LayerKind;
  /** file relative to the workspace root */
  readonly file?: string;
  readonly line?: number;
  readonly variable?: string;
}

export interface ConfigLayer {
  readonly kind: LayerKind;
  readonly file?: string;
  readonly present: boolean;
  /** for the env layer: the variables it read, and the empty ones it ignored */
  readonly variables?: readonly string[];
  readonly ignored?: readonly string[];
}

export interface ResolvedConfig {
  readonly project: string;
  readonly environment: EnvironmentName;
  /** the validated, frozen configuration */
  readonly values: Readonly<Record<string, unknown>>;
  /** leaf key (dotted) → the layer it came from */
  readonly provenance: ReadonlyMap<string, Origin>;
  readonly layers: readonly ConfigLayer[];
  readonly schema?: ConfigSchema;
  /** SHA-256 of the canonical JSON of `values`; recorded with every signal and release */
  readonly hash: string;
  isSensitive(key: string): boolean;
}

export interface LoadConfigOptions {
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** read the local overlay (default true; `config check` reads it only for this machine's environment) */
  readonly includeLocal?: boolean;
  /** read prefixed environment variables (default true) */
  readonly includeEnv?: boolean;
}

export interface ConfigResolution {
  readonly value?: ResolvedConfig;
  readonly errors: readonly Problem[];
  /** the merged data before validation (for checks that look at files), with its origins */
  readonly merged: unknown;
  readonly origins: ReadonlyMap<string, Origin>;
  readonly layers: readonly ConfigLayer[];
  readonly docs: ReadonlyMap<string, StructuredDocument>;
  readonly schema?: ConfigSchema;
  isSensitive(key: string): boolean;
}

// one home for the rule (validation/secret-shapes.ts), light enough for the pre-commit hook to load
export { isSecretLikeKey };

/**
 * Loads, merges, validates and freezes one project's config for one environment.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_CONFIG_SCHEMA, TRO_ERR_CONFIG_INVALID (every problem at once)
 */
export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const resolution = await resolveConfig(options);
  if (!resolution.value) {
    const n = resolution.errors.length;
    throw new TroError(
      "TRO_ERR_CONFIG_INVALID",
      `Config of project ${options.project} for ${options.environment} is invalid: ${n} problem${n === 1 ? "" : "s"}.`,
      {
        problems: resolution.errors,
        hint: `Fix the keys named above, then run \`tradeops config check ${options.project}\`.`,
      },
    );
  }
  return resolution.value;
}

/** Like loadConfig, but returns problems (and the intermediate layers) instead of throwing. */
export async function resolveConfig(options: LoadConfigOptions): Promise<ConfigResolution> {
  const { workspace, environment } = options;
  const project = requireProject(workspace, options.project);
  const files = project.config;
  const rel = (path: string) => relative(workspace.root, path);
  const schema = files?.schema ? await loadConfigSchema(files.schema, workspace.root) : undefined;
  // named as a secret by the rule init and secrets scan use (`vendor_key`, `db_pass`), or marked so by the schema; a
  // `database_url` may hold no password at all, and production files need not hide it behind a placeholder
  const isSensitive = (key: string) => isSecretName(key, { urls: false }) || (schema?.isSensitive(key) ?? false);

  const errors: Problem[] = [];
  const layers: ConfigLayer[] = [];
  const docs = new Map<string, StructuredDocument>();
  const origins = new Map<string, Origin>();
  let merged: Record<string, unknown> = {};
  /** variables left empty in a dotenv base file: a later layer must set them */
  const mustOverride = new Map<string, { file: string; line?: number }>();

  const fileLayers: [LayerKind, string | undefined, boolean][] = [
    ["base", files?.base, true],
    ["environment", files?.environments[environment], true],
    ["local", options.includeLocal === false ? undefined : files?.local, false],
  ];
  for (const [kind, path, mustExist] of fileLayers) {
    if (!path) continue;
    const file = rel(path);
    if (!existsSync(path)) {
      if (mustExist) errors.push({ file, message: `${kind} config file does not exist` });
      layers.push({ kind, file, present: false });
      continue;
    }
    layers.push({ kind, file, present: true });
    if (isDotenvFile(path)) {
      const dotenv = readDotenvLayer(path, file, {
        prefix: files?.envPrefix,
        schema: schema?.json,
        files: merged,
        isSensitive,
      });
      errors.push(...dotenv.problems);
      for (const { variable, path: keys, value, line } of dotenv.assignments) {
        merged = mergeLayer(merged, nest(keys, value), [], origins, () => ({ layer: kind, file, line, variable }));
        mustOverride.delete(variable);
      }
      if (kind === "base") for (const e of dotenv.empty) mustOverride.set(e.variable, { file, line: e.line });
      continue;
    }
    const doc = readLayerFile(path, file);
    if (doc.problems.length) {
      errors.push(...doc.problems);
      continue;
    }
    docs.set(file, doc);
    if (doc.data === undefined || doc.data === null) continue;
    if (!isPlainObject(doc.data)) {
      errors.push({ file, line: 1, message: "a config file must be a mapping of keys" });
      continue;
    }
    merged = mergeLayer(merged, doc.data, [], origins, (path) => ({
      layer: kind,
      file,
      line: doc.locate(path, true)?.line,
    }));
  }

  if (options.includeEnv !== false && files?.envPrefix) {
    const envLayer = readEnvLayer({
      prefix: files.envPrefix,
      env: options.env ?? process.env,
      schema: schema?.json,
      files: merged,
      skip: new Set([workspace.detect.variable, ...Object.keys(project.secrets), ...secretVariables(project)]),
      isSensitive,
    });
    errors.push(...envLayer.problems);
    for (const { variable, path, value } of envLayer.assignments) {
      merged = mergeLayer(merged, nest(path, value), [], origins, () => ({ layer: "env", variable }));
      mustOverride.delete(variable);
    }
    layers.push({
      kind: "env",
      present: envLayer.assignments.length > 0,
      variables: envLayer.assignments.map((a) => a.variable),
      ignored: envLayer.ignored,
    });
  }

  for (const [variable, where] of mustOverride) {
    const later = [files?.environments[environment], files?.local].filter(Boolean).map((p) => rel(p!));
    errors.push({
      ...where,
      key: variable,
      message: `is empty in ${where.file}, so it must be overridden, and no later layer sets it (${[...later, "environment variables"].join(", ")})`,
    });
  }
  const base = { merged, origins, layers, docs, schema, isSensitive };
  if (errors.length) return { ...base, errors };

  let values: unknown = merged;
  if (schema) {
    const result = schema.validate(merged);
    if (result.value === undefined) {
      const problems = result.issues.map((issue): Problem => {
        const key = issue.path.join(".");
        const origin = originOf(origins, key);
        const found = valueAt(merged, issue.path);
        return {
          file: origin?.file ?? (origin?.variable ? undefined : rel(files?.base ?? schema.file)),
          line: origin?.line,
          key: origin?.variable ? `${key} (from ${origin.variable})` : key,
          message: issue.message,
          expected: issue.expected,
          got:
            issue.kind === "missing" || issue.kind === "unknown" ? undefined : describeValue(found, isSensitive(key)),
        };
      });
      return { ...base, errors: problems };
    }
    values = result.value;
  }
  for (const key of leafKeys(values)) {
    if (!originOf(origins, key)) origins.set(key, { layer: "default", file: schema?.file });
  }
  const frozen = deepFreeze(structuredClone(values)) as Record<string, unknown>;
  return {
    ...base,
    errors: [],
    value: {
      project: project.name,
      environment,
      values: frozen,
      provenance: origins,
      layers,
      schema,
      hash: sha256(canonicalJson(withoutSensitive(frozen, isSensitive))),
      isSensitive,
    },
  };
}

/** Variables that secret chains read with `env:` are secrets, never config keys. */
function secretVariables(project: Project): string[] {
  return Object.values(project.secrets).flatMap((perEnv) =>
    Object.values(perEnv).flatMap((chain) =>
      (chain?.sources ?? []).filter((s) => s.startsWith("env:")).map((s) => s.slice("env:".length)),
    ),
  );
}

function readLayerFile(path: string, file: string): StructuredDocument {
  // a committed template such as config.json.example is read as the format it names
  const ext = extname(path.replace(/\.(example|sample|template)$/i, "")).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) {
    return {
      file,
      data: undefined,
      problems: [
        {
          file,
          message: `unsupported config file type ${ext || "(none)"}: use .yaml, .yml, .json or a dotenv file (.env.NAME, env.NAME, NAME.env)`,
        },
      ],
      locate: () => undefined,
    };
  }
  const read = readTextFile(path);
  if (!read.ok)
    return {
      file,
      data: undefined,
      problems: [{ file, message: `the config file ${read.reason}` }],
      locate: () => undefined,
    };
  return parseStructured(read.text, file);
}

type PathSegment = string;

function mergeLayer(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  path: PathSegment[],
  origins: Map<string, Origin>,
  originFor: (path: PathSegment[]) => Origin,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const here = [...path, key];
    if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = mergeLayer(out[key] as Record<string, unknown>, value, here, origins, originFor);
      continue;
    }
    // the key is replaced whole: forget origins recorded below it
    const prefix = here.join(".");
    for (const k of [...origins.keys()]) if (k === prefix || k.startsWith(`${prefix}.`)) origins.delete(k);
    out[key] = value;
    const leaves = isPlainObject(value) ? leafKeys(value).map((k) => `${prefix}.${k}`) : [prefix];
    for (const leaf of leaves) origins.set(leaf, originFor(leaf.split(".")));
    if (isPlainObject(value) && !leaves.length) origins.set(prefix, originFor(here));
  }
  return out;
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** The origin of a key, or of its nearest ancestor or first descendant. */
export function originOf(origins: ReadonlyMap<string, Origin>, key: string): Origin | undefined {
  if (origins.has(key)) return origins.get(key);
  const parts = key.split(".");
  for (let i = parts.length - 1; i > 0; i--) {
    const parent = parts.slice(0, i).join(".");
    if (origins.has(parent)) return origins.get(parent);
  }
  for (const [k, origin] of origins) if (k.startsWith(`${key}.`)) return origin;
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Dotted keys of every leaf (scalars, lists, empty objects). */
export function leafKeys(value: unknown, prefix = ""): string[] {
  if (!isPlainObject(value)) return prefix ? [prefix] : [];
  const keys = Object.keys(value);
  if (!keys.length) return prefix ? [prefix] : [];
  return keys.flatMap((k) => leafKeys(value[k], prefix ? `${prefix}.${k}` : k));
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/**
 * The config as hashed: sensitive values replaced by a fixed marker, so that the hash identifies the
 * configuration without changing when a secret rotates or letting anyone test guesses against it.
 */
function withoutSensitive(value: unknown, isSensitive: (key: string) => boolean, prefix = ""): unknown {
  if (prefix && isSensitive(prefix)) return "[sensitive]";
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, withoutSensitive(v, isSensitive, prefix ? `${prefix}.${k}` : k)]),
    );
  }
  return value;
}

/** JSON with object keys sorted at every level: the same config always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
