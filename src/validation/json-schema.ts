/**
 * A small reader over JSON Schema documents (draft 2020-12 / 07 shapes as zod and people write them):
 * which keys an object allows, what type a key has, which keys are sensitive. Used for "did you mean"
 * hints, for typing environment variables, for redaction and for generating example files.
 */
import { boundedRegExp } from "./safe-regex.js";

export type JsonSchema = Record<string, unknown>;
export type SchemaPath = readonly (string | number)[];

const COMBINATORS = ["anyOf", "oneOf", "allOf"] as const;

export function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows local `$ref`s (`#/$defs/x`, `#/definitions/x`) against the root. */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === "string" && hops < 32; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#/")) break;
    let target: unknown = root;
    for (const part of ref.slice(2).split("/")) {
      target = isSchema(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    }
    if (!isSchema(target)) break;
    const { $ref: _ignored, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

/** The schema itself plus every branch of its combinators, flattened. */
export function branches(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  const resolved = deref(schema, root);
  const out = [resolved];
  for (const key of COMBINATORS) {
    const list = resolved[key];
    if (Array.isArray(list)) for (const item of list) if (isSchema(item)) out.push(...branches(item, root));
  }
  return out;
}

/** Every schema that could apply to the value at `path` (several when unions are involved). */
export function schemasAt(root: JsonSchema, path: SchemaPath): JsonSchema[] {
  let current = [root];
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const schema of current.flatMap((s) => branches(s, root))) {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const property = typeof segment === "string" ? properties[segment] : undefined;
      if (isSchema(property)) next.push(property);
      else if (typeof segment === "number" || /^\d+$/.test(String(segment))) {
        if (isSchema(schema.items)) next.push(schema.items);
      } else if (isSchema(schema.additionalProperties)) next.push(schema.additionalProperties);
      else if (isSchema(schema.patternProperties)) {
        for (const [pattern, sub] of Object.entries(schema.patternProperties)) {
          if (isSchema(sub) && safeTest(pattern, segment)) next.push(sub);
        }
      }
    }
    current = next;
    if (!current.length) break;
  }
  return current;
}

/** The property names declared for an object schema (union of all branches). */
export function propertyNames(schemas: readonly JsonSchema[], root: JsonSchema): string[] {
  const names = new Set<string>();
  for (const schema of schemas.flatMap((s) => branches(s, root))) {
    if (isSchema(schema.properties)) for (const name of Object.keys(schema.properties)) names.add(name);
    // keys limited by `propertyNames: { enum }` (policies per environment) are known keys too
    const allowed = isSchema(schema.propertyNames) ? schema.propertyNames.enum : undefined;
    if (Array.isArray(allowed)) for (const name of allowed) if (typeof name === "string") names.add(name);
  }
  return [...names];
}

/** True when no branch accepts keys beyond its declared properties. */
export function isClosedObject(schemas: readonly JsonSchema[], root: JsonSchema): boolean {
  const objects = schemas.flatMap((s) => branches(s, root)).filter((s) => typeOf(s) === "object" || s.properties);
  if (!objects.length) return false;
  return objects.every((s) => s.additionalProperties === false || s.unevaluatedProperties === false);
}

export type JsonType = "string" | "number" | "integer" | "boolean" | "array" | "object" | "null";

/** The declared type(s) of a schema, including those of its branches. */
export function typesOf(schemas: readonly JsonSchema[], root: JsonSchema): Set<JsonType> {
  const types = new Set<JsonType>();
  for (const schema of schemas.flatMap((s) => branches(s, root))) {
    const t = typeOf(schema);
    if (t) types.add(t);
    if (Array.isArray(schema.type)) for (const item of schema.type) types.add(item as JsonType);
  }
  return types;
}

function typeOf(schema: JsonSchema): JsonType | undefined {
  if (typeof schema.type === "string") return schema.type as JsonType;
  if (schema.const !== undefined) return jsonTypeOfValue(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length) return jsonTypeOfValue(schema.enum[0]);
  return undefined;
}

export function jsonTypeOfValue(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
}

/** A key is sensitive when its schema says `"x-sensitive": true` (JSON Schema) or `sensitive: true` (zod meta). */
export function isSensitiveSchema(schema: JsonSchema): boolean {
  return schema["x-sensitive"] === true || schema.sensitive === true;
}

/**
 * Dotted patterns of every sensitive key (`*` stands for any record key or array index), found by
 * walking the whole schema; a sensitive object makes everything under it sensitive.
 */
export function sensitivePatterns(root: JsonSchema): string[] {
  const out = new Set<string>();
  const seen = new Set<JsonSchema>();
  const walk = (schema: JsonSchema, path: string[]) => {
    for (const branch of branches(schema, root)) {
      if (isSensitiveSchema(branch)) {
        out.add(path.join("."));
        continue;
      }
      if (seen.has(branch) && path.length > 16) continue;
      seen.add(branch);
      if (isSchema(branch.properties)) {
        for (const [name, sub] of Object.entries(branch.properties)) if (isSchema(sub)) walk(sub, [...path, name]);
      }
      if (isSchema(branch.additionalProperties)) walk(branch.additionalProperties, [...path, "*"]);
      if (isSchema(branch.items)) walk(branch.items, [...path, "*"]);
    }
  };
  walk(root, []);
  return [...out].filter((p) => p.length > 0);
}

/** Whether a concrete dotted key matches a pattern from `sensitivePatterns` (or lies below one). */
export function matchesPattern(key: string, pattern: string): boolean {
  const keyParts = key.split(".");
  const patternParts = pattern.split(".");
  if (keyParts.length < patternParts.length) return false;
  return patternParts.every((part, i) => part === "*" || part === keyParts[i]);
}

/** A schema's patternProperties pattern against a key; an unusable pattern matches nothing (the compile reports it). */
function safeTest(pattern: string, text: string): boolean {
  try {
    return boundedRegExp(pattern).test(text);
  } catch {
    return false;
  }
}
