/** `tradeops init` on repositories laid out like the seed shops: what it proposes, writes, and what then passes. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { schemaModeline } from "../../src/adopt/propose.js";
import { cli } from "../helpers/cli.js";
import { ARGO_DEV_KEY, argoRepo, basisRepo, magellanRepo, STRATEGIES } from "../helpers/seed-repos.js";

const manifestOf = (root: string) => parse(readFileSync(join(root, "tradeops.yaml"), "utf8"));

describe("tradeops init", () => {
  it("shows the proposal and writes nothing without --yes when nobody can answer", async () => {
    const repo = basisRepo();
    const { code, stdout } = await cli(["init"], { cwd: repo.root });
    expect(code).toBe(0);
    expect(stdout).toContain("variable: BASIS_ENVIRONMENT");
    expect(stdout).toContain("Not written. Run `tradeops init --yes` to write it.");
    expect(existsSync(join(repo.root, "tradeops.yaml"))).toBe(false);
  });

  it("a FastAPI backend with a Vite frontend and .env layers", async () => {
    const repo = basisRepo();
    const { code, stdout } = await cli(["init", "--yes"], { cwd: repo.root });
    expect(code, stdout).toBe(0);
    const text = readFileSync(join(repo.root, "tradeops.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=node_modules/tradeops/schema/tradeops.schema.json",
    );
    const m = manifestOf(repo.root);
    expect(m.environments.detect.variable).toBe("BASIS_ENVIRONMENT");
    expect(Object.keys(m.environments).filter((k) => k !== "detect")).toEqual([
      "development",
      "test",
      "staging",
      "production",
    ]);
    expect(m.projects.backend).toMatchObject({ path: "backend", kind: "service", port: 8001 });
    expect(m.projects.backend.commands.start).toBe(`uvicorn main:app --port \${PORT:-8001}`);
    expect(m.projects.frontend).toMatchObject({ kind: "frontend", coupledWith: ["backend"] });
    expect(m.projects.frontend.commands).toMatchObject({ install: "npm ci", build: "npm run build", test: "npm test" });
    expect(m.projects.backend.secrets.BASIS_EXCHANGE_API_KEY.production).toEqual([
      "dotenv:../.env.production#BASIS_EXCHANGE_API_KEY",
    ]);
    // secret names only: no value of any .env layer reaches the manifest or the output
    expect(text + stdout).not.toContain("dev-exchange-key");

    expect((await cli(["config", "check", "--all-envs"], { cwd: repo.root })).code).toBe(0);
    const env = JSON.parse(
      (await cli(["env", "--json"], { cwd: repo.root, env: { BASIS_ENVIRONMENT: "prod" } })).stdout,
    );
    expect(env).toMatchObject({ environment: "production", source: "variable" });
    const secrets = await cli(["secrets", "check", "backend", "--env", "development", "--json"], { cwd: repo.root });
    expect(secrets.code, secrets.stdout + secrets.stderr).toBe(0);
    expect(secrets.stdout).toContain("dotenv:../.env.dev#BASIS_EXCHANGE_API_KEY");
    expect(secrets.stdout).not.toContain("dev-exchange-key");
  });

  it("a bot with config.json + example and a systemd unit: lists what to fix, then passes", async () => {
    const repo = argoRepo();
    const init = await cli(["init", "--yes"], { cwd: repo.root });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("To fill in before deploying:");
    expect(init.stdout).toContain("projects.argo.port");
    expect(init.stdout).not.toContain(ARGO_DEV_KEY);
    const m = manifestOf(repo.root);
    expect(m.environments.detect).toMatchObject({
      variable: "ARGO_ENVIRONMENT",
      pathContains: { production: ["/root/argo-production"] },
    });
    expect(m.projects.argo).toMatchObject({
      path: ".",
      kind: "strategy",
      commands: { install: "pip install -r requirements.txt", test: "python3 -m pytest", start: "python3 main.py" },
      config: { base: "config.json.example", local: "config.json" },
    });
    expect(m.projects.argo.secrets.ALPACA_API_KEY.development).toEqual([
      "env:ALPACA_API_KEY",
      "config:alpaca.dev.api_key",
    ]);

    const before = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(before.code).toBe(78);
    expect(before.stdout + before.stderr).toMatch(/config\.json.*(0600|chmod)/);
    chmodSync(join(repo.root, "config.json"), 0o600);
    const after = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout + after.stderr).not.toContain(ARGO_DEV_KEY);
  });

  it("strategies under a deployable folder with per-strategy deployment scripts", async () => {
    const repo = magellanRepo();
    expect((await cli(["init", "--yes"], { cwd: repo.root })).code).toBe(0);
    const m = manifestOf(repo.root);
    expect(Object.keys(m.projects)).toEqual([...STRATEGIES]);
    expect(m.shared).toEqual(["src"]);
    expect(m.environments.detect).toMatchObject({
      variable: "ENVIRONMENT",
      pathContains: { production: ["/home/ssm-user/magellan"] },
    });
    expect(m.projects.bear_trap).toMatchObject({
      path: "deployable_strategies/bear_trap",
      kind: "strategy",
      commands: { start: "python3 aws_deployment/run_strategy.py" },
      config: { base: "aws_deployment/config.json" },
    });
    expect(m.projects.bear_trap.secrets.ALPACA_API_SECRET.development).toEqual([
      "dotenv:aws_deployment/.env#ALPACA_API_SECRET",
      "env:ALPACA_API_SECRET",
    ]);
    const before = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(before.code).toBe(78);
    for (const s of STRATEGIES) {
      const env = `deployable_strategies/${s}/aws_deployment/.env`;
      expect(before.stdout).toContain(`run chmod 600 ${env}`);
      chmodSync(join(repo.root, env), 0o600);
    }
    const after = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(after.code, after.stdout).toBe(0);
  });

  it("points `$schema` at the installed package from a workspace below node_modules' directory", () => {
    const top = mkdtempSync(join(tmpdir(), "tradeops-mono-"));
    mkdirSync(join(top, "node_modules/tradeops/schema"), { recursive: true });
    writeFileSync(join(top, "node_modules/tradeops/schema/tradeops.schema.json"), "{}");
    mkdirSync(join(top, "trading"));
    expect(schemaModeline(join(top, "trading"))).toBe(
      "# yaml-language-server: $schema=../node_modules/tradeops/schema/tradeops.schema.json",
    );
    expect(schemaModeline(top)).toBe(
      "# yaml-language-server: $schema=node_modules/tradeops/schema/tradeops.schema.json",
    );
  });

  it("refuses to replace a manifest, and says when there is nothing to adopt", async () => {
    const repo = magellanRepo();
    expect((await cli(["init", "--yes"], { cwd: repo.root })).code).toBe(0);
    const again = await cli(["init", "--yes"], { cwd: repo.root });
    expect(again.code).toBe(64);
    expect(again.stderr).toContain("tradeops.yaml exists already");
    const empty = await cli(["init"], { cwd: mkdtempSync(join(tmpdir(), "tradeops-empty-")) });
    expect(empty.code).toBe(64);
    expect(empty.stderr).toMatch(/No project found in .*\./);
  });
});
