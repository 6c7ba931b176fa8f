import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { buildRunEnvironment, flattenConfig } from "../../src/secrets/run-env.js";
import { Secret } from "../../src/secrets/secret.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

describe("the child environment", () => {
  it("flattens config with the prefix and __, lists and objects as JSON", () => {
    expect(
      flattenConfig({ trading: { auto_execute: false, symbols: ["SPY"] }, retries: 3, empty: {} }, "ARGO_"),
    ).toEqual({
      ARGO_TRADING__AUTO_EXECUTE: "false",
      ARGO_TRADING__SYMBOLS: '["SPY"]',
      ARGO_RETRIES: "3",
      ARGO_EMPTY: "{}",
    });
  });
  it("holds config, secrets under their names, the environment and the detection variable", async () => {
    const workspace = loadWorkspace({ workspace: DESK });
    const config = await loadConfig({ workspace, project: "argo", environment: "staging", env: {} });
    const secrets = new Map([["ALPACA_API_KEY", new Secret("ALPACA_API_KEY", "env:ALPACA_API_KEY", "PKVALUE")]]);
    const run = buildRunEnvironment({
      workspace,
      project: "argo",
      environment: "staging",
      config,
      secrets,
      base: { PATH: "/bin" },
    });
    expect(run.env.PATH).toBe(`${join(import.meta.dirname, "../../bin/path")}:/bin`);
    expect(run.env).toMatchObject({
      ARGO_RISK__MAX_TRADE_USD: "2000",
      ALPACA_API_KEY: "PKVALUE",
      TRADEOPS_ENVIRONMENT: "staging",
      ARGO_ENVIRONMENT: "staging",
      TRADEOPS_CONFIG_HASH: config.hash,
    });
    expect(run.secretNames).toEqual(["ALPACA_API_KEY"]);
  });
  it("refuses to start without the variables the manifest requires for the environment (78)", () => {
    const workspace = loadWorkspace({ workspace: DESK });
    const build = (base: Record<string, string>) =>
      buildRunEnvironment({
        workspace,
        project: "alpine-backend",
        environment: "production",
        secrets: new Map(),
        base,
      });
    expect(() => build({})).toThrow(
      "Project alpine-backend needs DATABASE_URL, REDIS_URL in production, and they are not set.",
    );
    expect(build({ DATABASE_URL: "postgres://db", REDIS_URL: "redis://r" }).env.DATABASE_URL).toBe("postgres://db");
  });
  it("gives the process the project's port as PORT unless the caller set one; a project without a port gets none", () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-port-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    for (const dir of ["api", "loop"]) mkdirSync(join(root, dir));
    writeFileSync(
      join(root, "tradeops.yaml"),
      "name: shop\nprojects:\n  api: { path: api, port: 9431 }\n  loop: { path: loop, kind: worker }\n",
    );
    const workspace = loadWorkspace({ workspace: root });
    const build = (project: string, base: Record<string, string>) =>
      buildRunEnvironment({ workspace, project, environment: "development", secrets: new Map(), base }).env.PORT;
    expect(build("api", {})).toBe("9431");
    expect(build("api", { PORT: "9500" })).toBe("9500");
    expect(build("loop", {})).toBeUndefined();
  });
});
