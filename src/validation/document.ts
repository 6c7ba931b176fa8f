/**
 * YAML and JSON files read with their positions, so that every problem can name a line.
 * JSON is parsed as YAML (a superset) with the same duplicate-key and position handling.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Problem } from "../errors.js";

export type KeyPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface StructuredDocument {
  /** the file as shown in messages */
  readonly file: string;
  readonly data: unknown;
  /** syntax problems, duplicate keys among them; empty when the file parsed */
  readonly problems: readonly Problem[];
  /** the position of the value at a key path (or of the key itself with `keyOnly`) */
  locate(path: KeyPath, keyOnly?: boolean): Position | undefined;
}

/** Keys that would reach an object's prototype machinery when a document becomes a JavaScript object. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
/** Aliases one document may expand (a "billion laughs" document expands millions). */
export const MAX_ALIAS_COUNT = 100;

export function parseStructured(text: string, file: string): StructuredDocument {
  const lineCounter = new LineCounter();
  // duplicate keys are found below, where both lines can be named
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    const duplicate = error.code === "DUPLICATE_KEY";
    const key = duplicate
      ? text
          .slice(error.pos[0])
          .match(/^["']?([^"'\n:]+?)["']?\s*:/)?.[1]
          ?.trim()
      : undefined;
    return {
      file,
      line: pos.line,
      column: pos.col,
      ...(key ? { key } : {}),
      message: duplicate
        ? "duplicate key: a key may appear only once in a mapping"
        : yamlMessage(error.message, error.code),
    };
  });
  const toPosition = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const locate = (path: KeyPath, keyOnly = false): Position | undefined => {
    let node: unknown = doc.contents;
    let lastKey: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
        if (!pair || !isPair(pair)) return toPosition(isMap(node) ? node.range?.[0] : undefined);
        lastKey = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
        lastKey = undefined;
      } else {
        break;
      }
    }
    if (keyOnly && lastKey) return toPosition(lastKey.range?.[0]);
    const range = (node as Node | null | undefined)?.range;
    return toPosition(range?.[0] ?? lastKey?.range?.[0]);
  };
  if (!problems.length) problems.push(...keyProblems(doc.contents, file, lineCounter));
  let data: unknown;
  if (!problems.length) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      problems.push({
        file,
        line: 1,
        message: /alias/i.test(String((error as Error)?.message))
          ? `YAML aliases expand past the limit of ${MAX_ALIAS_COUNT}: write the values out, or use fewer aliases`
          : `the document cannot be read: ${String((error as Error)?.message ?? error).split("\n")[0]}`,
      });
    }
  }
  return { file, data: problems.length ? undefined : data, problems, locate };
}

/** Duplicate keys (naming both lines) and reserved keys, anywhere in the document. */
function keyProblems(root: unknown, file: string, lines: LineCounter): Problem[] {
  const problems: Problem[] = [];
  const lineOf = (node: Node | undefined) => (node?.range ? lines.linePos(node.range[0]) : undefined);
  const walk = (node: unknown, path: string[]) => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | undefined;
        const name = isScalar(keyNode) ? String(keyNode.value) : undefined;
        const pos = lineOf(keyNode);
        if (name !== undefined) {
          const key = [...path, name].join(".");
          if (RESERVED_KEYS.has(name)) {
            problems.push({
              file,
              line: pos?.line,
              column: pos?.col,
              key,
              message: `reserved key ${name}: it is not allowed in a document (it would reach the object's prototype)`,
            });
          } else if (seen.has(name)) {
            problems.push({
              file,
              line: pos?.line,
              column: pos?.col,
              key,
              message: `duplicate key: ${name} is already set at line ${seen.get(name)}; a key may appear only once in a mapping`,
            });
          } else if (pos) seen.set(name, pos.line);
          walk(pair.value, [...path, name]);
        }
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...path, String(i)]);
    }
  };
  walk(root, []);
  return problems;
}

/** What the yaml library's terms mean for the line a person typed, for the mistakes people make most. */
const PLAIN: Readonly<Record<string, string>> = {
  MULTILINE_IMPLICIT_KEY: "a line that is not `key: value` (a `:` missing after the key?)",
  BLOCK_AS_IMPLICIT_KEY: "a second `key:` on one line, or a line indented deeper than the key above it",
  TAB_AS_INDENT: "indent with spaces",
};

/** The yaml library's messages carry an excerpt of the source; keep the first sentence, and say it plainly. */
function yamlMessage(message: string, code: string): string {
  const first = (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
  return `YAML syntax error: ${first}${PLAIN[code] ? ` — ${PLAIN[code]}` : ""}`;
}
