/**
 * Canonical JSON (RFC 8785, JCS): object keys sorted by UTF-16 code units, no whitespace, strings and numbers
 * exactly as ECMAScript's JSON.stringify writes them. The same value always gives the same bytes, so a payload's
 * hash can be recomputed from the value alone. Values JSON cannot carry faithfully are refused, not altered.
 */

const MAX_DEPTH = 64;
/** strings that need no escaping are written as they are (the common case, and much faster) */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const KEY_CACHE_LIMIT = 4096;
const quotedKeys = new Map<string, string>();

/** Why a value cannot be written canonically, and where in it. */
export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path || "(value)"} ${reason}`);
    this.name = "CanonicalJsonError";
  }
}

function quote(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < KEY_CACHE_LIMIT) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** A child's path; none while writing fast (paths are worked out again only for a value that fails). */
function child(path: string | undefined, key: string | number): string | undefined {
  if (path === undefined) return undefined;
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

function write(value: unknown, path: string | undefined, depth: number): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path ?? "", `is not a finite number (${value})`);
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw new CanonicalJsonError(path ?? "", `is a ${typeof value}, which JSON cannot hold`);
  }
  if (value === null) return "null";
  if (depth >= MAX_DEPTH)
    throw new CanonicalJsonError(path ?? "", `nests deeper than ${MAX_DEPTH} levels (or is circular)`);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i) out += ",";
      const item = value[i];
      out += item === undefined ? "null" : write(item, child(path, i), depth + 1);
    }
    return `${out}]`;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return write(withToJson.toJSON(), path, depth + 1);
  const object = value as Record<string, unknown>;
  let keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys = keys.sort();
      break;
    }
  }
  let out = "{";
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${quoteKey(key)}:${write(item, child(path, key), depth + 1)}`;
  }
  return `${out}}`;
}

/** thrown by `fast` when a value needs the careful writer (which then refuses it or writes it exactly) */
const CAREFUL = Symbol("careful");

const SHAPE_CACHE_LIMIT = 1024;
/** sorted key orders, found by an object's first key and then compared key by key (no string built per lookup) */
const sortedShapes = new Map<string, { readonly keys: readonly string[]; readonly sorted: string[] }[]>();
let shapeCount = 0;

/** Keys in canonical order. Payloads of one kind share their shape, so each shape's sorted order is kept. */
function sortedKeys(keys: string[]): string[] {
  const known = sortedShapes.get(keys[0]!);
  if (known)
    for (const shape of known) {
      if (shape.keys.length !== keys.length) continue;
      let same = true;
      for (let i = 1; i < keys.length && same; i++) same = shape.keys[i] === keys[i];
      if (same) return shape.sorted;
    }
  const sorted = keys.slice().sort();
  if (shapeCount < SHAPE_CACHE_LIMIT) {
    shapeCount++;
    if (known) known.push({ keys, sorted });
    else sortedShapes.set(keys[0]!, [{ keys, sorted }]);
  }
  return sorted;
}

/**
 * The fast writer: plain objects, arrays, finite numbers, strings, booleans and null, written by hand with each
 * object's keys in canonical order (no copies of the value). Anything else goes to the careful writer: non-finite
 * numbers, bigint, functions, symbols, objects that are not plain (toJSON, boxed primitives, class instances),
 * an own `__proto__` key and nesting as deep as MAX_DEPTH. Numbers are written as String() writes them, which is
 * what JSON.stringify writes for every finite number.
 */
function fast(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw CAREFUL;
      return `${value}`;
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw CAREFUL;
  }
  if (value === null) return "null";
  if (depth >= MAX_DEPTH) throw CAREFUL;
  if (Array.isArray(value)) {
    // JSON.stringify would call an array's own toJSON; the careful writer writes the items
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw CAREFUL;
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i) out += ",";
      const item: unknown = value[i];
      out += item === undefined ? "null" : fast(item, depth + 1);
    }
    return `${out}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw CAREFUL;
  const object = value as Record<string, unknown>;
  let keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === "__proto__") throw CAREFUL;
    if (i && keys[i - 1]! > keys[i]!) {
      for (let j = i + 1; j < keys.length; j++) if (keys[j] === "__proto__") throw CAREFUL;
      keys = sortedKeys(keys);
      break;
    }
  }
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${quoteKey(key)}:${fast(item, depth + 1)}`;
  }
  return `${out}}`;
}

/**
 * The canonical JSON text of a value (RFC 8785).
 * @throws CanonicalJsonError for NaN/Infinity, bigint, functions, symbols, `undefined` at the top, cycles
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new CanonicalJsonError("", "is undefined");
  try {
    const text = fast(value, 0);
    // V8 keeps text built by `+=` as a tree of pieces until something needs it whole; flattened now, the record
    // holds (and the garbage collector copies, while a batch is chained) one string instead of dozens of pieces
    Number(text);
    return text;
  } catch (error) {
    if (error !== CAREFUL) throw error;
  }
  try {
    return write(value, undefined, 0);
  } catch (error) {
    // written again with paths, for the message: where in the value it went wrong
    if (error instanceof CanonicalJsonError) return write(value, "", 0);
    throw error;
  }
}
