import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ERROR_CODES, EXIT } from "../src/errors.js";

it("every error code is documented in docs/errors.md with its exit code", () => {
  const doc = readFileSync(join(import.meta.dirname, "../docs/errors.md"), "utf8");
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const section = doc.split(/^## /m).find((s) => s.startsWith(`${code}\n`));
    expect(section, `## ${code} in docs/errors.md`).toBeDefined();
    expect(section).toContain(String(spec.exit));
  }
});

it("uses only the exit codes SPEC §13 defines", () => {
  const allowed = new Set<number>(Object.values(EXIT));
  for (const spec of Object.values(ERROR_CODES)) expect(allowed.has(spec.exit)).toBe(true);
});
