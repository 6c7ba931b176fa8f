/** Ajv's errors as schema issues: one per real problem, with the key path, what was expected and why. */
import { type JsonSchema, schemasAt } from "./json-schema.js";

export interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  /** set by Ajv on the errors of a `propertyNames` subschema: the key that failed, not its value */
  readonly propertyName?: string;
}

export interface SchemaIssue {
  readonly path: readonly (string | number)[];
  readonly kind: "missing" | "unknown" | "type" | "value";
  readonly message: string;
  readonly expected?: string;
}

const pointer = (instancePath: string) =>
  instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));

/**
 * Maps Ajv errors to issues. A value that fits none of a union's forms is one problem, not one per form: the
 * errors of the branches are dropped in favour of the union's own. The schema, when given, supplies the
 * description of a field whose pattern did not match, as what was expected.
 */
export function ajvIssues(errors: readonly AjvError[], schema?: JsonSchema): SchemaIssue[] {
  let kept = [...errors];
  for (const union of errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf")) {
    const prefix = `${union.schemaPath}/`;
    const inside = kept.filter((e) => e !== union && e.schemaPath.startsWith(prefix));
    const branchOf = (e: AjvError) => e.schemaPath.slice(prefix.length).split("/")[0];
    const branches = new Set(inside.map(branchOf));
    // a branch that failed on the value's own type is the wrong form; when only one form fits, its errors say more
    const fitting = [...branches].filter(
      (b) => !inside.some((e) => branchOf(e) === b && e.keyword === "type" && e.instancePath === union.instancePath),
    );
    kept = kept.filter((e) => !inside.includes(e) || (fitting.length === 1 && branchOf(e) === fitting[0]));
    if (fitting.length === 1) kept = kept.filter((e) => e !== union);
  }
  // a key name that fails `propertyNames` is one problem about that key: the subschema's own errors describe the
  // object (Ajv points them at it), and would read as if the whole mapping were the wrong value
  kept = kept.filter((e) => e.propertyName === undefined);
  return kept.map((e) => (e.keyword === "propertyNames" ? nameIssue(e) : issue(e, schema)));
}

function nameIssue(error: AjvError): SchemaIssue {
  return {
    path: [...pointer(error.instancePath), String(error.params.propertyName)],
    kind: "unknown",
    message: "unknown key",
  };
}

function issue(error: AjvError, schema?: JsonSchema): SchemaIssue {
  const path = pointer(error.instancePath);
  const description = () => {
    const found = schema ? schemasAt(schema, path).find((s) => typeof s.description === "string") : undefined;
    return found?.description as string | undefined;
  };
  switch (error.keyword) {
    case "required":
      return {
        path: [...path, String(error.params.missingProperty)],
        kind: "missing",
        message: "required key is missing",
      };
    case "additionalProperties":
      return { path: [...path, String(error.params.additionalProperty)], kind: "unknown", message: "unknown key" };
    case "type":
      return { path, kind: "type", message: "wrong type", expected: String(error.params.type) };
    case "enum":
      return {
        path,
        kind: "value",
        message: "value not allowed",
        expected: `one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "const":
      return { path, kind: "value", message: "value not allowed", expected: JSON.stringify(error.params.allowedValue) };
    case "pattern":
    case "format":
      return { path, kind: "value", message: "does not have the expected form", expected: description() };
    case "anyOf":
    case "oneOf":
      return { path, kind: "value", message: "value matches none of the allowed forms", expected: description() };
    default:
      return { path, kind: "value", message: error.message ?? `fails ${error.keyword}` };
  }
}
