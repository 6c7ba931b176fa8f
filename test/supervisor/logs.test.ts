/** Log files: size rotation, retention by count and age, low disk, tail, and following across a rotation. */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followFiles } from "../../src/supervisor/log-follow.js";
import { maintainLogs } from "../../src/supervisor/log-maintenance.js";
import { pruneRotated, rotatedFiles, rotateIfNeeded, tailLines } from "../../src/supervisor/logs.js";
import { waitFor } from "./helpers.js";

const limits = { maxBytes: 100, maxFiles: 2, retentionDays: 7 };
const fresh = () => mkdtempSync(join(tmpdir(), "tradeops-logs-"));

describe("rotation and retention", () => {
  it("rotates past the size limit, keeping the content, and leaves smaller files alone", () => {
    const dir = fresh();
    const file = join(dir, "web@blue.log");
    writeFileSync(file, "a".repeat(50));
    expect(rotateIfNeeded(file, limits, new Date())).toBeUndefined();
    appendFileSync(file, "b".repeat(60));
    const rotated = rotateIfNeeded(file, limits, new Date("2025-01-06T10:11:12.345Z"))!;
    expect(rotated).toBe(join(dir, "web@blue.20250106T101112345Z.log"));
    expect(readFileSync(rotated, "utf8")).toBe(`${"a".repeat(50)}${"b".repeat(60)}`);
    expect(statSync(file).size).toBe(0);
    // same millisecond: a second file, not an overwrite
    writeFileSync(file, "c".repeat(200));
    expect(rotateIfNeeded(file, limits, new Date("2025-01-06T10:11:12.345Z"))).toBe(
      join(dir, "web@blue.20250106T101112345Z-1.log"),
    );
  });

  it("keeps the newest rotated files up to the count, and none older than the retention", () => {
    const dir = fresh();
    const file = join(dir, "web.log");
    writeFileSync(file, "");
    const now = new Date("2025-03-01T00:00:00.000Z");
    for (const stamp of ["20250228T000000000Z", "20250227T000000000Z", "20250226T000000000Z", "20250101T000000000Z"])
      writeFileSync(join(dir, `web.${stamp}.log`), "x");
    writeFileSync(join(dir, "web-other.20200101T000000000Z.log"), "not ours");
    const removed = pruneRotated(file, limits, now)
      .map((p) => p.slice(dir.length + 1))
      .sort();
    expect(removed).toEqual(["web.20250101T000000000Z.log", "web.20250226T000000000Z.log"]);
    expect(rotatedFiles(file).map((r) => r.path.slice(dir.length + 1))).toEqual([
      "web.20250228T000000000Z.log",
      "web.20250227T000000000Z.log",
    ]);
    // age alone: 7 days back from 2025-03-08T12:00 leaves only the 28th... which is 8.5 days old: nothing
    expect(pruneRotated(file, limits, new Date("2025-03-08T12:00:00.000Z")).length).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(["web-other.20200101T000000000Z.log", "web.log"]);
  });

  it("keeps only one rotated file per log when the disk is low, and says so", () => {
    const dir = fresh();
    const file = join(dir, "web.log");
    for (const stamp of ["20250228T000000000Z", "20250227T000000000Z"])
      writeFileSync(join(dir, `web.${stamp}.log`), "x");
    writeFileSync(file, "y".repeat(150));
    const report = maintainLogs([file], { ...limits, retentionDays: 36500 }, dir, new Date(), Number.MAX_SAFE_INTEGER);
    expect(report.low).toBe(true);
    expect(report.rotated).toHaveLength(1);
    expect(rotatedFiles(file).map((r) => r.path)).toEqual(report.rotated);
    const roomy = maintainLogs([file], limits, dir, new Date(), 0);
    expect(roomy.low).toBe(false);
    expect(roomy.freeBytes).toBeGreaterThan(0);
  });
});

describe("tail and follow", () => {
  it("tails the last lines, and nothing from a missing file", () => {
    const dir = fresh();
    const file = join(dir, "t.log");
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => `line ${i}`).join("\n") + "\n");
    expect(tailLines(file, 3)).toEqual(["line 297", "line 298", "line 299"]);
    expect(tailLines(join(dir, "none.log"), 3)).toEqual([]);
  });

  it("follows appended lines, a rotation (truncate) and a file created later; keeps a split UTF-8 character whole", async () => {
    const dir = fresh();
    const a = join(dir, "a.log");
    const b = join(dir, "b.log");
    writeFileSync(a, "old line\n");
    const seen: string[] = [];
    const stop = followFiles(
      [
        { label: "a", path: a },
        { label: "b", path: b },
      ],
      (label, line) => seen.push(`${label}:${line}`),
      {
        intervalMs: 10,
      },
    );
    try {
      appendFileSync(a, "first\nsec");
      await waitFor("first line", () => seen.includes("a:first"), 2000, 5);
      appendFileSync(a, "ond\n");
      await waitFor("second line", () => seen.includes("a:second"), 2000, 5);
      writeFileSync(a, ""); // rotated
      appendFileSync(a, "after rotation\n");
      const euro = Buffer.from("price €5\n");
      appendFileSync(b, euro.subarray(0, 8)); // ends inside "€"
      await waitFor("rotation", () => seen.includes("a:after rotation"), 2000, 5);
      appendFileSync(b, euro.subarray(8));
      await waitFor("utf-8 line", () => seen.includes("b:price €5"), 2000, 5);
    } finally {
      stop();
    }
    expect(seen).toEqual(["a:first", "a:second", "a:after rotation", "b:price €5"]);
  });
});
