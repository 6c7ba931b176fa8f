import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveConfig } from "../../src/config/load.js";
import { redactConfig } from "../../src/config/redact.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

/** A one-project workspace with the given files (paths relative to the project directory). */
function workspace(files: Record<string, string>, config: string, detectVariable = "TRADEOPS_ENV"): string {
  const root = mkdtempSync(join(tmpdir(), "tradeops-cfg-"));
  mkdirSync(join(root, "bot/config"), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, "bot", path), text);
  writeFileSync(
    join(root, "tradeops.yaml"),
    `name: t\nenvironments:\n  detect: { variable: ${detectVariable} }\n  development: {}\n  production: {}\nprojects:\n  bot:\n    path: bot\n    config:\n${config}`,
  );
  return root;
}

const SCHEMA = JSON.stringify({
  type: "object",
  additionalProperties: false,
  properties: {
    trading: {
      type: "object",
      additionalProperties: false,
      properties: {
        auto_execute: { type: "boolean" },
        maxTradeUsd: { type: "number" },
        symbols: { type: "array", items: { type: "string" } },
        label: { type: "string" },
      },
    },
    retries: { type: "integer", default: 3 },
    api_token: { type: "string" },
  },
});

const LAYERED = {
  "config.schema.json": SCHEMA,
  "config/base.yaml": "trading:\n  auto_execute: true\n  maxTradeUsd: 100\n  symbols: [SPY, QQQ]\n  label: base\n",
  "config/development.yaml": "trading:\n  maxTradeUsd: 200\n  symbols: [IWM]\n",
  "config/local.yaml": "trading:\n  label: mine\n",
};
const LAYERED_CONFIG =
  "      schema: config.schema.json\n      base: config/base.yaml\n      environments: { development: config/development.yaml }\n      local: config/local.yaml\n      envPrefix: BOT_\n";

async function load(env: Record<string, string> = {}, environment: "development" | "production" = "development") {
  const ws = loadWorkspace({ cwd: workspace(LAYERED, LAYERED_CONFIG) });
  return loadConfig({ workspace: ws, project: "bot", environment, env });
}

describe("layers", () => {
  it("later layers win, objects merge deeply, lists are replaced whole", async () => {
    const config = await load({ BOT_TRADING__AUTO_EXECUTE: "false" });
    expect(config.values).toEqual({
      trading: { auto_execute: false, maxTradeUsd: 200, symbols: ["IWM"], label: "mine" },
      retries: 3,
    });
  });
  it("records the layer, file and line of every key", async () => {
    const config = await load({ BOT_TRADING__AUTO_EXECUTE: "0" });
    expect(config.provenance.get("trading.auto_execute")).toEqual({
      layer: "env",
      variable: "BOT_TRADING__AUTO_EXECUTE",
    });
    expect(config.provenance.get("trading.maxTradeUsd")).toEqual({
      layer: "environment",
      file: "bot/config/development.yaml",
      line: 2,
    });
    expect(config.provenance.get("trading.label")).toEqual({ layer: "local", file: "bot/config/local.yaml", line: 2 });
    expect(config.provenance.get("trading.symbols")?.layer).toBe("environment");
    expect(config.provenance.get("retries")?.layer).toBe("default");
  });
  it("freezes the result", async () => {
    const config = await load();
    expect(Object.isFrozen(config.values)).toBe(true);
    expect(() => {
      (config.values.trading as Record<string, unknown>).maxTradeUsd = 1;
    }).toThrow(TypeError);
  });
  it("hashes the same config the same way whatever the key order", async () => {
    const a = await load();
    const b = await load();
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).toBe(b.hash);
    expect((await load({ BOT_RETRIES: "4" })).hash).not.toBe(a.hash);
  });
  it("skips the local overlay when asked (other machines' environments)", async () => {
    const ws = loadWorkspace({ cwd: workspace(LAYERED, LAYERED_CONFIG) });
    const config = await loadConfig({
      workspace: ws,
      project: "bot",
      environment: "development",
      env: {},
      includeLocal: false,
    });
    expect((config.values.trading as Record<string, unknown>).label).toBe("base");
  });
});

describe("environment variables", () => {
  it("nest on __, match keys case-insensitively (camelCase too) and parse by schema type", async () => {
    const config = await load({
      BOT_TRADING__MAXTRADEUSD: "750.5",
      BOT_TRADING__SYMBOLS: '["SPY"]',
      BOT_RETRIES: "7",
      BOT_TRADING__LABEL: "true",
    });
    const trading = config.values.trading as Record<string, unknown>;
    expect(trading.maxTradeUsd).toBe(750.5);
    expect(trading.symbols).toEqual(["SPY"]);
    expect(trading.label).toBe("true");
    expect(config.values.retries).toBe(7);
  });
  it("treat an empty value as unset and list it as ignored", async () => {
    const config = await load({ BOT_TRADING__LABEL: "" });
    expect((config.values.trading as Record<string, unknown>).label).toBe("mine");
    expect(config.layers.find((l) => l.kind === "env")?.ignored).toEqual(["BOT_TRADING__LABEL"]);
  });
  it("read booleans in their usual spellings", async () => {
    for (const [raw, value] of [
      ["yes", true],
      ["OFF", false],
      ["1", true],
      ["False", false],
    ] as const) {
      const config = await load({ BOT_TRADING__AUTO_EXECUTE: raw });
      expect((config.values.trading as Record<string, unknown>).auto_execute).toBe(value);
    }
  });
  it("report every bad variable at once, never echoing a sensitive value", async () => {
    const ws = loadWorkspace({ cwd: workspace(LAYERED, LAYERED_CONFIG) });
    const result = await resolveConfig({
      workspace: ws,
      project: "bot",
      environment: "development",
      env: { BOT_RETRIES: "3.5", BOT_TRADING__AUTO_EXECUTE: "maybe", BOT_NOPE: "1", BOT_TRADING____X: "1" },
    });
    expect(result.errors.map((p) => p.key).sort()).toEqual([
      "BOT_NOPE",
      "BOT_RETRIES",
      "BOT_TRADING__AUTO_EXECUTE",
      "BOT_TRADING____X",
    ]);
    expect(result.errors.find((p) => p.key === "BOT_RETRIES")?.message).toBe("cannot be read as integer for `retries`");
  });
  it("never read the detection variable as config, even when it shares the prefix", async () => {
    const ws = loadWorkspace({ cwd: workspace(LAYERED, LAYERED_CONFIG, "BOT_ENVIRONMENT") });
    const config = await loadConfig({
      workspace: ws,
      project: "bot",
      environment: "development",
      env: { BOT_ENVIRONMENT: "production" },
    });
    expect(config.values.retries).toBe(3);
    expect(config.layers.find((l) => l.kind === "env")?.variables).toEqual([]);
  });
});

describe("sensitive values", () => {
  it("are recognised by schema marks and by secret-like key names, and redacted with their source", async () => {
    const config = await load({ BOT_API_TOKEN: "s3cr3t-token-value" });
    expect(config.isSensitive("api_token")).toBe(true);
    const redacted = redactConfig(config);
    expect(redacted.api_token).toBe("[redacted: env BOT_API_TOKEN]");
    expect(JSON.stringify(redacted)).not.toContain("s3cr3t-token-value");
  });
  it("include keys named as init and secrets scan name secrets (vendor_key, db_pass), not public ones", async () => {
    const config = await load();
    for (const key of ["venue.vendor_key", "db_pass", "feed.dsn", "api_token"])
      expect(config.isSensitive(key), key).toBe(true);
    for (const key of ["venue.sort_key", "stripe.publishable_key", "tls.key_file", "database_url", "retries"])
      expect(config.isSensitive(key), key).toBe(false);
  });
});

describe("the example desk", () => {
  it("loads argo's zod schema module and marks its sensitive keys", async () => {
    const ws = loadWorkspace({ workspace: DESK });
    const config = await loadConfig({ workspace: ws, project: "argo", environment: "production", env: {} });
    expect(config.schema?.kind).toBe("zod");
    expect(config.isSensitive("alpaca.production.api_key")).toBe(true);
    expect(config.isSensitive("alpaca.production.paper")).toBe(false);
    expect((config.values.risk as Record<string, unknown>).max_trade_usd).toBe(10000);
    expect((config.values.trading as Record<string, unknown>).read_only).toBe(false);
  });
  it("loads signal-lab's JSON Schema and applies its defaults", async () => {
    const ws = loadWorkspace({ workspace: DESK });
    const config = await loadConfig({ workspace: ws, project: "signal-lab", environment: "development", env: {} });
    expect(config.schema?.kind).toBe("json-schema");
    expect(config.isSensitive("feed.token")).toBe(true);
    expect((config.values.feed as Record<string, unknown>).use_archived_data).toBe(true);
  });
});

describe("fixes found in review", () => {
  it("a variable read by an env: secret source is not a config key, even under the prefix", async () => {
    const ws = loadWorkspace({ workspace: DESK });
    const config = await loadConfig({
      workspace: ws,
      project: "argo",
      environment: "development",
      env: { ARGO_CONTROL_TOKEN: "t" },
    });
    expect(config.layers.find((l) => l.kind === "env")?.variables).toEqual([]);
  });
  it("without a schema, a variable keeps the type of the key in the files", async () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-noschema-"));
    mkdirSync(join(root, "bot/config"), { recursive: true });
    writeFileSync(join(root, "bot/config/base.yaml"), "risk:\n  auto_execute: true\n  max: 5\n");
    writeFileSync(
      join(root, "tradeops.yaml"),
      "name: t\nprojects:\n  bot:\n    path: bot\n    config: { base: config/base.yaml, envPrefix: BOT_ }\n",
    );
    const config = await loadConfig({
      workspace: loadWorkspace({ cwd: root }),
      project: "bot",
      environment: "development",
      env: { BOT_RISK__AUTO_EXECUTE: "off", BOT_RISK__MAX: "7", BOT_RISK__NEW: "x" },
    });
    expect(config.values.risk).toEqual({ auto_execute: false, max: 7, new: "x" });
  });
  it("the config hash identifies the configuration, not the secrets in it", async () => {
    const a = await load({ BOT_API_TOKEN: "first-secret-value-000" });
    const b = await load({ BOT_API_TOKEN: "rotated-secret-value-01" });
    expect(a.hash).toBe(b.hash);
  });
});
