/**
 * The bad-input corpus: every case under test/fixtures/bad/ is a workspace with one kind of mistake. Each must
 * exit 78 (or the code it names) with one readable message naming file, line and key, report all problems of a
 * file together, leave the workspace untouched and never print the planted secret.
 */
import { chmodSync, readdirSync, readFileSync } from "node:fs";
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
}

const cases = readdirSync(CORPUS).sort();

describe("bad-input corpus", () => {
  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
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
      const before = snapshot(dir);

      const text = await cli(expected.args, { cwd: dir, env: expected.env });
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
      const problems = parsed.error
        ? parsed.error.problems.length
        : parsed.projects.flatMap((p: { results: { problems: unknown[] }[] }) => p.results.flatMap((r) => r.problems))
            .length;
      if (expected.problems !== undefined) expect(problems).toBe(expected.problems);

      expect(snapshot(dir)).toEqual(before);
    });
  }
});
