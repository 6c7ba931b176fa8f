import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, copyWorkspace, DESK } from "../helpers/cli.js";

describe("tradeops config show", () => {
  it("marks every value with its layer and redacts sensitive ones in text", async () => {
    const dir = copyWorkspace();
    writeFileSync(join(dir, "argo/config/local.yaml"), "alpaca:\n  dev:\n    api_key: PKLOCALDEVKEY00000001\n");
    chmodSync(join(dir, "argo/config/local.yaml"), 0o600);
    const { code, stdout } = await cli(["--workspace", dir, "config", "show", "argo"], {
      env: { ARGO_RISK__MAX_TRADE_USD: "250" },
    });
    expect(code).toBe(0);
    expect(stdout).toContain("risk.max_trade_usd             = 250  ← env ARGO_RISK__MAX_TRADE_USD");
    expect(stdout).toContain("alpaca.dev.api_key             = [redacted: argo/config/local.yaml:3]  ← local");
    expect(stdout).toContain('trading.symbols                = ["SPY"]  ← base argo/config/base.yaml:16');
    expect(stdout).toContain("trading.read_only              = false  ← default");
    expect(stdout).not.toContain("PKLOCALDEVKEY00000001");
  });
  it("gives the same in JSON, with provenance per key", async () => {
    const { code, stdout } = await cli([
      "--workspace",
      DESK,
      "--env",
      "production",
      "config",
      "show",
      "argo",
      "--json",
      "--sources",
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.environment).toBe("production");
    expect(out.config.alpaca.production.api_key).toBe("[redacted: argo/config/base.yaml:10]");
    expect(out.config.risk.max_trade_usd).toBe(10000);
    expect(out.provenance["risk.max_trade_usd"]).toEqual({
      layer: "environment",
      file: "argo/config/production.yaml",
      line: 5,
      sensitive: false,
    });
    expect(out.provenance["alpaca.production.api_key"].sensitive).toBe(true);
    expect(out.layers.map((l: { kind: string }) => l.kind)).toEqual(["base", "environment", "local", "env"]);
    expect(out.hash).toMatch(/^[0-9a-f]{64}$/);
  });
  it("names an unknown project with the list of projects (64)", async () => {
    const { code, stderr } = await cli(["--workspace", DESK, "config", "show", "argon"]);
    expect(code).toBe(64);
    expect(stderr).toContain("There is no project argon in tradeops.yaml.");
    expect(stderr).toContain("Did you mean argo?");
    expect(stderr).toContain("Projects: argo, signal-lab");
  });
});

describe("tradeops config check", () => {
  it("passes on the example desk in every environment", async () => {
    const { code, stdout } = await cli(["--workspace", DESK, "config", "check", "--all-envs", "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.ok).toBe(true);
    expect(out.environments).toEqual(["development", "test", "staging", "production"]);
    const argo = out.projects.find((p: { project: string }) => p.project === "argo");
    expect(argo.results.map((r: { check: string }) => r.check)).toEqual([
      "validate",
      "validate",
      "validate",
      "validate",
      "parity",
      "example",
      "placeholders",
      "file-modes",
    ]);
  });
  it("checks only the current environment without --all-envs", async () => {
    const { stdout } = await cli(["--workspace", DESK, "config", "check", "argo", "--json"], {
      env: { ARGO_ENVIRONMENT: "staging" },
    });
    const results = JSON.parse(stdout).projects[0].results;
    expect(
      results
        .filter((r: { check: string }) => r.check === "validate")
        .map((r: { environment: string }) => r.environment),
    ).toEqual(["staging"]);
  });
});

describe("tradeops config example", () => {
  it("is in sync with the committed example file", async () => {
    const { code, stdout } = await cli(["--workspace", DESK, "config", "example", "argo"]);
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(join(DESK, "argo/config.example.yaml"), "utf8"));
    expect(stdout).toContain("api_key: FROM_SECRETS");
  });
  it("--write regenerates a stale example so that the check passes again", async () => {
    const dir = copyWorkspace();
    writeFileSync(join(dir, "argo/config.example.yaml"), "stale: true\n");
    expect((await cli(["--workspace", dir, "config", "check", "argo"])).code).toBe(78);
    expect((await cli(["--workspace", dir, "config", "example", "argo", "--write"])).code).toBe(0);
    expect((await cli(["--workspace", dir, "config", "check", "argo"])).code).toBe(0);
  });
});

describe("config check reads committed files for parity", () => {
  it("a key overridden on this machine does not break parity", async () => {
    const { code } = await cli(["--workspace", DESK, "config", "check", "argo", "--all-envs"], {
      env: { ARGO_RISK__CIRCUIT_BREAKER_ERRORS: "3" },
    });
    expect(code).toBe(0);
  });
});
