/** Values inside parsed documents, and how to describe them in a message without showing what is sensitive. */
import type { KeyPath } from "./document.js";

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
