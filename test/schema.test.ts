/** The generated files must match their source; editors validating with the JSON Schema agree with tradeops. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_DETECT, DEFAULT_POLICY } from "../src/workspace/defaults.js";
import { manifestReferenceMarkdown } from "../src/workspace/reference.js";
import { manifestJsonSchema, manifestSchema, schemaDefaults } from "../src/workspace/schema.js";
import { manifestValidatorSource } from "../src/workspace/validator-source.js";
import { DESK } from "./helpers/cli.js";

const ROOT = join(import.meta.dirname, "..");

describe("generated from src/workspace/schema.ts (run `npm run generate` after changing it)", () => {
  it("schema/tradeops.schema.json", () => {
    const committed = JSON.parse(readFileSync(join(ROOT, "schema/tradeops.schema.json"), "utf8"));
    expect(committed).toEqual(manifestJsonSchema());
  });
  it("src/workspace/manifest-validator.generated.js", () => {
    const committed = readFileSync(join(ROOT, "src/workspace/manifest-validator.generated.js"), "utf8");
    expect(committed).toBe(manifestValidatorSource(manifestJsonSchema()));
  });
  it("the plain defaults in src/workspace/defaults.ts", () => {
    expect({ detect: DEFAULT_DETECT, policy: DEFAULT_POLICY }).toEqual(schemaDefaults());
  });
  it("docs/manifest-reference.md", () => {
    expect(readFileSync(join(ROOT, "docs/manifest-reference.md"), "utf8")).toBe(manifestReferenceMarkdown());
  });
});

describe("the published JSON Schema", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(manifestJsonSchema());
  it("accepts the example desk's manifest", () => {
    const manifest = parse(readFileSync(join(DESK, "tradeops.yaml"), "utf8"));
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
  });
  it("refuses unknown keys and wrong types, as tradeops does", () => {
    for (const bad of [{ name: "x", projcts: {} }, { name: "x", projects: { a: { path: "a", port: "80" } } }, {}]) {
      expect(validate(bad)).toBe(false);
      expect(manifestSchema.safeParse(bad).success).toBe(false);
    }
  });
  it("models every key SPEC §3 fixes", () => {
    const text = JSON.stringify(manifestJsonSchema());
    for (const key of [
      "variable",
      "aliases",
      "markerFiles",
      "pathContains",
      "hostnameContains",
      "default",
      "logLevel",
      "logRetentionDays",
      "signals",
      "store",
      "required",
      "retentionDays",
      "executionMode",
      "autoExecute",
      "pauseWhenIdle",
      "kind",
      "coupledWith",
      "commands",
      "install",
      "test",
      "lint",
      "build",
      "start",
      "migrate",
      "port",
      "health",
      "config",
      "schema",
      "base",
      "environments",
      "local",
      "envPrefix",
      "secrets",
      "accounts",
      "requiredEnv",
      "shared",
      "targets",
      "hosts",
      "path",
      "policies",
      "confirmPhrase",
      "healthLevel",
      "monitorSeconds",
      "blockedDays",
      "blockedHours",
      "requireHealthy",
      "refusePatterns",
      "neverSkip",
    ]) {
      expect(text, key).toContain(`"${key}"`);
    }
  });
});
