import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TroError } from "../../src/errors.js";
import { findManifest, loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

function tree(manifest: string, dirs: string[] = ["bot"]): string {
  const root = mkdtempSync(join(tmpdir(), "tradeops-ws-"));
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, "tradeops.yaml"), manifest);
  return root;
}

describe("finding the manifest", () => {
  it("searches upward from the working directory", () => {
    const root = tree("name: t\nprojects:\n  bot: { path: bot }\n", ["bot/src/deep"]);
    expect(findManifest({ cwd: join(root, "bot/src/deep") })).toBe(join(root, "tradeops.yaml"));
  });
  it("takes --workspace as a directory or as the manifest file", () => {
    const root = tree("name: t\n");
    expect(findManifest({ workspace: root, cwd: "/" })).toBe(join(root, "tradeops.yaml"));
    expect(findManifest({ workspace: join(root, "tradeops.yaml"), cwd: "/" })).toBe(join(root, "tradeops.yaml"));
  });
  it("says where it looked when there is none", () => {
    const empty = mkdtempSync(join(tmpdir(), "tradeops-none-"));
    try {
      findManifest({ cwd: empty });
      expect.unreachable();
    } catch (error) {
      expect((error as TroError).code).toBe("TRO_ERR_WORKSPACE_NOT_FOUND");
      expect((error as TroError).exitCode).toBe(78);
      expect((error as TroError).message).toContain(empty);
    }
  });
});

describe("a three-line manifest", () => {
  it("works, with every other key defaulted", () => {
    const ws = loadWorkspace({ cwd: tree("name: tiny\nprojects:\n  bot: { path: bot }\n") });
    expect(ws.environments).toEqual(["development", "test", "staging", "production"]);
    expect(ws.detect.variable).toBe("TRADEOPS_ENV");
    expect(ws.detect.default).toBe("development");
    const bot = ws.projects.bot!;
    expect(bot.kind).toBe("service");
    expect(bot.sendsOrders).toBe(false);
    expect(bot.health.backoffSeconds).toEqual([5, 10, 20]);
    expect(ws.settings.production).toMatchObject({
      logLevel: "info",
      logRetentionDays: 30,
      signals: { required: true, retentionDays: 2557 },
      executionMode: "paper",
      pauseWhenIdle: false,
    });
    expect(ws.settings.development).toMatchObject({
      logLevel: "debug",
      pauseWhenIdle: true,
      signals: { required: false },
    });
  });
});

describe("the example desk", () => {
  const ws = loadWorkspace({ workspace: DESK });
  it("declares four environments and five projects", () => {
    expect(ws.environments).toEqual(["development", "test", "staging", "production"]);
    expect(Object.keys(ws.projects)).toEqual(["argo", "signal-lab", "alpine-backend", "alpine-frontend", "shared"]);
  });
  it("couples the alpine pair both ways", () => {
    expect(ws.projects["alpine-frontend"]!.coupledWith).toEqual(["alpine-backend"]);
    expect(ws.projects["alpine-backend"]!.coupledWith).toEqual(["alpine-frontend"]);
  });
  it("normalizes secret chains and keeps their order", () => {
    const chain = ws.projects.argo!.secrets.ALPACA_API_KEY!;
    expect(chain.development!.sources).toEqual([
      "aws-secrets:alpaca-api-key-dev",
      "config:alpaca.dev.api_key",
      "env:ALPACA_API_KEY",
    ]);
    expect(chain.production!.allowLastResort).toBe(true);
  });
  it("resolves config paths against the project directory", () => {
    expect(ws.projects.argo!.config!.base).toBe(join(DESK, "argo/config/base.yaml"));
  });
});
