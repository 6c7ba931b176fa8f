/** Canonical JSON (RFC 8785) and the record encoding: same value, same bytes; what JSON cannot carry is refused. */
import { describe, expect, it } from "vitest";
import {
  CanonicalJsonError,
  canonicalJson,
  ENCODING_VERSION,
  encodeRecord,
  GENESIS_HASH,
  recordHash,
} from "../../src/signals/index.js";

describe("canonicalJson", () => {
  it("sorts keys by UTF-16 code units at every level and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    // RFC 8785 §3.2.3: "\u20ac" sorts after "\r" and "1"; the emoji's surrogates sort before U+FB33
    expect(canonicalJson({ "\u20ac": 1, "\r": 2, "1": 3, "\ud83d\ude00": 4, "\ufb33": 5 })).toBe(
      '{"\\r":2,"1":3,"\u20ac":1,"\ud83d\ude00":4,"\ufb33":5}',
    );
  });

  it("writes numbers and strings as ECMAScript does (RFC 8785 §3.2.2)", () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333, 5e-324])).toBe(
      "[1e+21,1e-7,0,0.30000000000000004,333333333.3333333,5e-324]",
    );
    expect(canonicalJson('a"b\\c\u0001\n\u2028')).toBe('"a\\"b\\\\c\\u0001\\n\u2028"');
  });

  it("is the same for equal values built in any key order, and idempotent through JSON.parse", () => {
    const a = { symbol: "AAPL", indicators: { rsi: 61.2, sma: [1, 2] }, qty: 10 };
    const b = { qty: 10, indicators: { sma: [1, 2], rsi: 61.2 }, symbol: "AAPL" };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(JSON.parse(canonicalJson(a)))).toBe(canonicalJson(a));
  });

  it("drops undefined object members, writes undefined array items as null, uses toJSON", () => {
    expect(canonicalJson({ a: undefined, b: [undefined], d: new Date("2025-01-02T03:04:05.006Z") })).toBe(
      '{"b":[null],"d":"2025-01-02T03:04:05.006Z"}',
    );
  });

  it("refuses what JSON cannot carry faithfully, naming where", () => {
    const cases: [unknown, string, string][] = [
      [{ a: { b: Number.NaN } }, "a.b", "is not a finite number (NaN)"],
      [[1, Number.POSITIVE_INFINITY], "[1]", "is not a finite number (Infinity)"],
      [{ n: 10n }, "n", "is a bigint, which JSON cannot hold"],
      [{ f: () => 1 }, "f", "is a function, which JSON cannot hold"],
      [undefined, "", "is undefined"],
    ];
    for (const [value, path, reason] of cases) {
      let error: unknown;
      try {
        canonicalJson(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CanonicalJsonError);
      expect(error).toMatchObject({ path, reason });
    }
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => canonicalJson(circular)).toThrow(/nests deeper than 64 levels \(or is circular\)/);
  });
});

/** RFC 8785 written the obvious way: keys sorted at every level, leaves as JSON.stringify writes them. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : reference(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .filter((k) => object[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${reference(object[k])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A deterministic pseudo-random generator (the same values every run). */
function generator(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const keys = ["a", "b", "side", "Z", "_x", "10", "2", "-1", "", "é", "\u20ac", "\ud83d\ude00", "\ufb33", "__proto__"];
  const leaves = [
    0,
    -0,
    1e21,
    1e-7,
    187.23,
    -5.5,
    2 ** 53,
    "",
    "buy",
    'q"\\',
    "\u0001\n",
    "\ud800",
    "é€",
    true,
    false,
    null,
  ];
  const value = (depth: number): unknown => {
    const roll = next();
    if (depth > 3 || roll < 0.5) return pick(leaves);
    if (roll < 0.65)
      return Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.1 ? undefined : value(depth + 1)));
    const out: Record<string, unknown> = {};
    const count = Math.floor(next() * 6);
    for (let i = 0; i < count; i++)
      Object.defineProperty(out, pick(keys), {
        value: next() < 0.1 ? undefined : value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  };
  return value;
}

describe("canonicalJson against a reference", () => {
  it("writes exactly the reference's text for thousands of generated values (key order, digits, escapes, __proto__)", () => {
    const value = generator(16);
    for (let i = 0; i < 5000; i++) {
      const v = value(0);
      if (v === undefined) continue;
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });

  it("writes what it always wrote for values JSON.stringify treats specially", () => {
    const withToJson = Object.assign([1, 2], { toJSON: () => "array" });
    expect(canonicalJson({ a: withToJson })).toBe('{"a":[1,2]}');
    expect(canonicalJson({ b: new Number(1), a: new Date(0) })).toBe('{"a":"1970-01-01T00:00:00.000Z","b":{}}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"b":1,"a":2},"x":1}'))).toBe('{"__proto__":{"a":2,"b":1},"x":1}');
  });

  it("leaves the caller's value as it was", () => {
    const v = { b: { d: 1, c: [{ z: 1, y: 2 }] }, a: 1 };
    const before = JSON.stringify(v);
    expect(canonicalJson(v)).toBe('{"a":1,"b":{"c":[{"y":2,"z":1}],"d":1}}');
    expect(JSON.stringify(v)).toBe(before);
  });
});

describe("record encoding", () => {
  const record = {
    prevHash: GENESIS_HASH,
    seq: 1,
    time: "2025-01-02T03:04:05.006Z",
    environment: "production",
    project: "argo",
    release: "20250102T030405Z-abc1234",
    configHash: "c".repeat(64),
    strategy: "sma-cross",
    kind: "signal" as const,
    payload: '{"side":"buy"}',
  };

  it("is the documented line format with the payload last", () => {
    expect(encodeRecord(record)).toBe(
      [
        ENCODING_VERSION,
        GENESIS_HASH,
        "1",
        "2025-01-02T03:04:05.006Z",
        "production",
        "argo",
        "20250102T030405Z-abc1234",
        "c".repeat(64),
        "sma-cross",
        "signal",
        '{"side":"buy"}',
      ].join("\n"),
    );
  });

  it("hashes to the value `sha256sum` gives for the same bytes (the test vector in docs/signals.md)", () => {
    expect(recordHash(record)).toBe("1665f16053ec0b6c9a1b66b98f86d649fa6a7eadf4a1e85d9b9f13b3f2952efa");
  });
});
