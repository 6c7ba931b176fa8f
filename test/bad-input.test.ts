/**
 * The bad-input corpus: every case under test/fixtures/bad/ is a workspace with one kind of mistake. Each must
 * exit 78 (or the code it names) within 5 s with one readable message naming file, line and key, report all
 * problems of a file together, leave the workspace untouched and never print the planted secret. What git cannot
 * hold is made by the test: FIFOs, directories and symlinks in place of files, and files too large to commit.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, copyWorkspace, snapshot } from "./helpers/cli.js";

const CORPUS = join(import.meta.dirname, "fixtures/bad");
const CANARY = "PKCANARYLEAK0000000001";

interface Expectation {
  describe: string;
  args: string[];
  exit: number;
  output: string[];
  env?: Record<string, string>;
  problems?: number;
  chmod?: Record<string, string>;
  /** files replaced by a FIFO (nobody writes to it: reading it would wait forever) */
  fifo?: string[];
  /** files replaced by an empty directory */
  directory?: string[];
  /** files replaced by a symlink to the given target (e.g. /dev/zero) */
  symlink?: Record<string, string>;
  /** files replaced by this many bytes of a repeated line */
  big?: Record<string, { bytes: number; line: string }>;
}

/** The longest a bad input may take to be refused. */
const DEADLINE_MS = 5_000;

const cases = readdirSync(CORPUS).sort();

describe("bad-input corpus", () => {
  it("has at least 150 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  for (const name of cases) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(join(CORPUS, name, "expect.json"), "utf8")) as Expectation;
      const dir = copyWorkspace(join(CORPUS, name));
      for (const [file, mode] of Object.entries(expected.chmod ?? {}))
        chmodSync(join(dir, file), Number.parseInt(mode, 8));
      for (const file of ["bot/config/base.yaml", "bot/config/production.yaml"]) {
        if (!expected.chmod?.[file]) chmodSync(join(dir, file), 0o600);
      }
      const replace = (file: string) => rmSync(join(dir, file), { recursive: true, force: true });
      for (const file of expected.fifo ?? []) {
        replace(file);
        execFileSync("mkfifo", [join(dir, file)]);
      }
      for (const file of expected.directory ?? []) {
        replace(file);
        mkdirSync(join(dir, file));
      }
      for (const [file, target] of Object.entries(expected.symlink ?? {})) {
        replace(file);
        symlinkSync(target, join(dir, file));
      }
      for (const [file, { bytes, line }] of Object.entries(expected.big ?? {})) {
        writeFileSync(join(dir, file), `${line}\n`.repeat(Math.ceil(bytes / (line.length + 1))));
      }
      const before = snapshot(dir);

      const started = Date.now();
      const text = await cli(expected.args, { cwd: dir, env: expected.env });
      expect(Date.now() - started, "refused within the deadline").toBeLessThan(DEADLINE_MS);
      const output = text.stdout + text.stderr;
      expect(text.code, output).toBe(expected.exit);
      for (const fragment of expected.output) expect(output).toContain(fragment);
      expect(output).not.toContain(CANARY);
      expect(text.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose

      const json = await cli(["--json", ...expected.args], { cwd: dir, env: expected.env });
      expect(json.code).toBe(expected.exit);
      expect(json.stdout + json.stderr).not.toContain(CANARY);
      const parsed = JSON.parse(json.stdout);
      expect(parsed.ok).toBe(false);
      if (expected.problems !== undefined) {
        const problems = parsed.error
          ? parsed.error.problems.length
          : parsed.projects.flatMap((p: { results: { problems: unknown[] }[] }) => p.results.flatMap((r) => r.problems))
              .length;
        expect(problems).toBe(expected.problems);
      }

      expect(snapshot(dir)).toEqual(before);
    });
  }
});
