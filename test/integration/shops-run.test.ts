/**
 * `tradeops run` on fresh workspaces in the shops' style, their code unchanged: Basis's backend sees
 * BASIS_ENVIRONMENT=dev as set (never rewritten to development) and its dotenv layers; Magellan's runner sees
 * ENVIRONMENT, USE_ARCHIVED_DATA and LOG_LEVEL.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { BASIS_DEV_VALUES, basisWorkspace, magellanWorkspace } from "../helpers/shops.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli.js")))
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT });
});

function run(dir: string, project: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [BIN, "--workspace", dir, "run", project], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", ...env },
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

it("Basis: BASIS_ENVIRONMENT=dev stays dev, and env.unified + .env.dev reach the backend", () => {
  const out = run(basisWorkspace(), "backend", { BASIS_ENVIRONMENT: "dev" });
  expect(out).toEqual({ ...BASIS_DEV_VALUES, LOG_LEVEL: "debug" });
});

it("Magellan: each runner reads ENVIRONMENT, USE_ARCHIVED_DATA and LOG_LEVEL as its code expects", () => {
  const dir = magellanWorkspace();
  const out = run(dir, "magellan-hourly-swing", { ALPACA_API_KEY: "dev-key" });
  expect(out).toEqual({
    environment: "development",
    use_cache: true,
    account: null,
    log_level: "debug",
    symbols: ["IWM"],
  });
});
