/** zod issues turned into located problems: file, line, dotted key, expected and got. */
import type * as z from "zod";
import type { Problem } from "../errors.js";
import type { KeyPath, StructuredDocument } from "./document.js";
import { type JsonSchema, propertyNames, schemasAt } from "./json-schema.js";
import { didYouMean } from "./suggest.js";

export interface IssueContext {
  /** where the value came from, for line numbers; absent for merged data */
  readonly doc?: StructuredDocument;
  /** file named when there is no document */
  readonly file?: string;
  /** the validated data, to describe what was found */
  readonly data?: unknown;
  /** JSON Schema of the same shape, for "did you mean" on unknown keys */
  readonly schema?: JsonSchema;
  /** a key whose value must never be shown */
  readonly isSensitive?: (key: string) => boolean;
  /** locates a key path when the data is merged from several files */
  readonly locate?: (path: KeyPath) => { file?: string; line?: number; column?: number } | undefined;
}

export function dottedKey(path: KeyPath): string {
  return path.map(String).join(".");
}

export function valueAt(data: unknown, path: KeyPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** What a value is, for messages: the type, and the value itself only when it is short and not sensitive. */
export function describeValue(value: unknown, sensitive: boolean): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  if (sensitive) return `a ${typeof value} [redacted]`;
  if (typeof value === "string") {
    if (value.includes("://")) return "a URL string";
    return value.length <= 40 ? `"${value}"` : `a string of ${value.length} characters`;
  }
  return String(value);
}

export function zodIssuesToProblems(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const known = ctx.schema ? propertyNames(schemasAt(ctx.schema, path), ctx.schema) : [];
      for (const key of issue.keys) {
        problems.push(
          located(ctx, [...path, key], true, {
            message: `unknown key \`${key}\`${didYouMean(key, known)}`,
          }),
        );
      }
      continue;
    }
    const key = dottedKey(path);
    const sensitive = ctx.isSensitive?.(key) ?? false;
    const value = valueAt(ctx.data, path);
    problems.push(located(ctx, path, value === undefined, explain(issue, value, sensitive)));
  }
  return problems;
}

function explain(
  issue: z.core.$ZodIssue,
  value: unknown,
  sensitive: boolean,
): Pick<Problem, "message" | "expected" | "got"> {
  const got = describeValue(value, sensitive);
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return { message: "required key is missing", expected: issue.expected };
      return { message: "wrong type", expected: issue.expected, got };
    case "invalid_value":
      return {
        message: "value not allowed",
        expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
        got,
      };
    case "invalid_union":
      return { message: "value matches none of the allowed forms", got };
    case "too_small":
    case "too_big":
    case "invalid_format":
    case "not_multiple_of":
    case "custom":
      return { message: sanitize(issue.message), got };
    default:
      return { message: sanitize(issue.message), got };
  }
}

/** zod messages never carry input values unless asked to; this keeps any quoted input out anyway. */
function sanitize(message: string): string {
  return message.replace(/received .*/i, "").trim() || "invalid value";
}

function located(
  ctx: IssueContext,
  path: KeyPath,
  keyOnly: boolean,
  detail: Pick<Problem, "message" | "expected" | "got">,
): Problem {
  const key = dottedKey(path);
  const fromLocator = ctx.locate?.(path);
  if (fromLocator) return { ...fromLocator, key: key || undefined, ...detail } as Problem;
  const pos = ctx.doc?.locate(path, keyOnly);
  return {
    file: ctx.doc?.file ?? ctx.file,
    line: pos?.line,
    column: pos?.column,
    key: key || undefined,
    ...detail,
  } as Problem;
}
