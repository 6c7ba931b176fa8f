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

export function parseStructured(text: string, file: string): StructuredDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
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
      message: duplicate ? "duplicate key: a key may appear only once in a mapping" : yamlMessage(error.message),
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
  return { file, data: problems.length ? undefined : doc.toJS({ maxAliasCount: 100 }), problems, locate };
}

/** The yaml library's messages carry an excerpt of the source; keep the first sentence only. */
function yamlMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, "")}`;
}
