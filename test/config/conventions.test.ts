/**
 * The shops' own conventions, on fresh workspaces in their style and with their code unchanged: the environment
 * under their variable and spelling, config under chosen names or without a prefix, the log level, `${VAR}` in
 * secret paths, dotenv layers with "must be overridden" markers, `*.example` templates, `signals.store: none`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check.js";
import { loadConfig, resolveConfig } from "../../src/config/load.js";
import { isTroError } from "../../src/errors.js";
import { prepareProcess } from "../../src/secrets/prepare.js";
import type { SecretProvider } from "../../src/secrets/providers/types.js";
import { resolveSecrets } from "../../src/secrets/resolve.js";
import { scanForSecrets } from "../../src/secrets/scan.js";
import { openSignalRecorder } from "../../src/signals/open.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { basisWorkspace, ENV_DEV, magellanWorkspace } from "../helpers/shops.js";

const PATH = process.env.PATH;

describe("Magellan: three runners reading ENVIRONMENT, USE_ARCHIVED_DATA and ALPACA_ACCOUNT_ID", () => {
  it("exports the environment under ENVIRONMENT, chosen config names and LOG_LEVEL", async () => {
    const workspace = loadWorkspace({ workspace: magellanWorkspace() });
    expect(Object.keys(workspace.projects)).toEqual([
      "magellan-bear-trap",
      "magellan-daily-trend",
      "magellan-hourly-swing",
    ]);
    const prepared = await prepareProcess({
      workspace,
      project: "magellan-bear-trap",
      environment: "development",
      env: { PATH, ALPACA_API_KEY: "dev-key" },
    });
    expect(prepared.run.env).toMatchObject({
      ENVIRONMENT: "development",
      USE_ARCHIVED_DATA: "true",
      LOG_LEVEL: "debug",
      MAGELLAN_BEAR_TRAP_SYMBOLS: '["SPY"]',
      ALPACA_API_KEY: "dev-key",
    });
    expect(prepared.run.env.MAGELLAN_BEAR_TRAP_USE_ARCHIVED_DATA).toBeUndefined();
    // an operator's own LOG_LEVEL wins over the manifest's level
    const own = await prepareProcess({
      workspace,
      project: "magellan-bear-trap",
      environment: "development",
      env: { PATH, ALPACA_API_KEY: "k", LOG_LEVEL: "warning" },
    });
    expect(own.run.env.LOG_LEVEL).toBe("warning");
  });

  it("expands the account id variable in an SSM path from the config, or names the variable when it is nowhere", async () => {
    const dir = magellanWorkspace();
    const workspace = loadWorkspace({ workspace: dir });
    const asked: string[] = [];
    const ssm: SecretProvider = {
      async lookupMany(refs) {
        asked.push(...refs.map((r) => r.target));
        return new Map(refs.map((r) => [r.raw, { kind: "value", value: "ssm-value" } as const]));
      },
    } as SecretProvider;
    const config = await loadConfig({ workspace, project: "magellan-daily-trend", environment: "production", env: {} });
    const report = await resolveSecrets({
      workspace,
      project: "magellan-daily-trend",
      environment: "production",
      env: {},
      config: config.values,
      providers: { "aws-ssm": ssm },
    });
    expect(asked).toEqual(["/magellan/alpaca/PA-7731/API_KEY"]);
    expect(report.secrets[0]!.secret?.reveal()).toBe("ssm-value");
    // the process environment wins over the config
    asked.length = 0;
    await resolveSecrets({
      workspace,
      project: "magellan-daily-trend",
      environment: "production",
      env: { ALPACA_ACCOUNT_ID: "PA-9000" },
      config: config.values,
      providers: { "aws-ssm": ssm },
    });
    expect(asked).toEqual(["/magellan/alpaca/PA-9000/API_KEY"]);
    // nowhere set: one sentence naming the secret, the source and the variable; exit 78
    const error = await resolveSecrets({
      workspace,
      project: "magellan-daily-trend",
      environment: "production",
      env: {},
      config: {},
      providers: { "aws-ssm": ssm },
    }).catch((e: unknown) => e);
    expect(isTroError(error) && error.exitCode).toBe(78);
    expect(String((error as Error).message)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own syntax
      "secret ALPACA_API_KEY of magellan-daily-trend: source aws-ssm:/magellan/alpaca/${ALPACA_ACCOUNT_ID}/API_KEY uses ${ALPACA_ACCOUNT_ID}, which is set neither",
    );
  });

  it("holds config.json.example to config.json: same keys, placeholders only; the secret scan reads it too", async () => {
    const dir = magellanWorkspace();
    const workspace = loadWorkspace({ workspace: dir });
    const check = () =>
      checkConfig({
        workspace,
        projects: ["magellan-bear-trap"],
        environments: ["development"],
        current: "development",
      });
    const ok = await check();
    expect(ok.projects[0]!.results.find((r) => r.check === "example")).toMatchObject({ ok: true, problems: [] });
    const example = join(dir, "prod/bear_trap/config.json.example");
    writeFileSync(example, JSON.stringify({ symbols: ["X"], api_key: "AKIAIOSFODNN7EXAMPLEKEY1234" }));
    const bad = (await check()).projects[0]!.results.find((r) => r.check === "example")!;
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => `${p.key}: ${p.message}`)).toEqual([
      "position_size: is in prod/bear_trap/config.json but missing from the template",
      "api_key: is in the template but not in prod/bear_trap/config.json",
      "api_key: holds what looks like a real secret: a template holds placeholders",
    ]);
    expect(scanForSecrets(dir).map((f) => f.file)).toContain("prod/bear_trap/config.json.example");
  });

  it("turns the development signal log off with signals.store: none, never where it is required", async () => {
    const dir = magellanWorkspace();
    const workspace = loadWorkspace({ workspace: dir });
    const recorder = await openSignalRecorder({ workspace, environment: "development" });
    expect(recorder.status()).toMatchObject({ status: "healthy", ordersAllowed: true });
    expect(recorder.status().message).toBe("signal log turned off (signals.store: none)");
    expect(await recorder.record([{ project: "magellan-bear-trap", kind: "signal", payload: { a: 1 } }])).toEqual({
      stored: 0,
      spooled: 0,
      dropped: 0,
    });
    await recorder.close();
    const required = magellanWorkspace();
    const manifest = join(required, "tradeops.yaml");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace("  production: {}", "  production: { signals: { store: none } }"),
    );
    const error = (() => {
      try {
        loadWorkspace({ workspace: required });
      } catch (e) {
        return e;
      }
    })();
    expect(isTroError(error) && error.exitCode).toBe(78);
    expect(JSON.stringify(error)).toContain("the signal log cannot be turned off where it is required");
  });
});

describe("Basis: a backend reading env.unified + .env.dev", () => {
  it("layers the dotenv files and exports them as the backend reads them, BASIS_ENVIRONMENT=dev kept", async () => {
    const workspace = loadWorkspace({ workspace: basisWorkspace() });
    const prepared = await prepareProcess({
      workspace,
      project: "backend",
      environment: "development",
      env: { PATH, BASIS_ENVIRONMENT: "dev" },
    });
    expect(prepared.run.env).toMatchObject({
      BASIS_ENVIRONMENT: "dev",
      BASIS_DEPLOYMENT_MODE: "local",
      BASIS_DATA_DIR: "./data",
      BASIS_LOG_LEVEL: "DEBUG",
      BASIS_LIVE_TRADING__MAX_TRADE_SIZE_USD: "100",
      BASIS_LIVE_TRADING__ENABLED: "false",
      LOG_LEVEL: "debug",
      TRADEOPS_ENVIRONMENT: "development",
    });
    const production = await prepareProcess({
      workspace,
      project: "backend",
      environment: "production",
      env: { PATH },
    });
    expect(production.run.env).toMatchObject({ BASIS_ENVIRONMENT: "prod", BASIS_DATA_MODE: "db", LOG_LEVEL: "info" });
    // provenance names the file and line of each value
    const config = await loadConfig({ workspace, project: "backend", environment: "development", env: {} });
    expect(config.provenance.get("data_dir")).toMatchObject({ layer: "environment", file: ".env.dev", line: 3 });
    expect(config.provenance.get("live_trading.enabled")).toMatchObject({ layer: "base", file: "env.unified" });
  });

  it("refuses an empty base value that no later layer overrides, naming the variable and the file", async () => {
    const dir = basisWorkspace({ ".env.dev": ENV_DEV.replace("BASIS_DATA_MODE=csv\n", "") });
    const workspace = loadWorkspace({ workspace: dir });
    const resolution = await resolveConfig({ workspace, project: "backend", environment: "development", env: {} });
    expect(resolution.errors).toEqual([
      {
        file: "env.unified",
        line: 5,
        key: "BASIS_DATA_MODE",
        message:
          "is empty in env.unified, so it must be overridden, and no later layer sets it (.env.dev, environment variables)",
      },
    ]);
    // an environment variable is a later layer too
    const fromEnv = await resolveConfig({
      workspace,
      project: "backend",
      environment: "development",
      env: { BASIS_DATA_MODE: "db" },
    });
    expect(fromEnv.errors).toEqual([]);
    expect(fromEnv.value!.values.data_mode).toBe("db");
  });
});
