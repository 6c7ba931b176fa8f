/** `tradeops migrate` on a seed-style strategies tree: the plan, then `--apply` with history kept. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli } from "../helpers/cli.js";
import { magellanRepo, STRATEGIES } from "../helpers/seed-repos.js";

describe("tradeops migrate", () => {
  it("dry run: prints the moves and the manifest, changes nothing", async () => {
    const repo = magellanRepo();
    const before = repo.git("status", "--porcelain");
    const { code, stdout } = await cli(["migrate"], { cwd: repo.root });
    expect(code).toBe(0);
    expect(stdout).toContain(
      "3 strategies in deployable_strategies/ → prod/: bear_trap, daily_trend_hysteresis, hourly_swing",
    );
    expect(stdout).toContain(
      "git mv deployable_strategies/bear_trap/bear_trap_strategy_production.py → prod/bear_trap/strategy.py",
    );
    expect(stdout).toContain(
      "git mv deployable_strategies/bear_trap/aws_deployment/run_strategy.py → prod/bear_trap/runner.py",
    );
    expect(stdout).toContain(
      "git mv deployable_strategies/bear_trap/aws_deployment/magellan-bear-trap.service → prod/bear_trap/deployment/systemd/magellan-bear-trap.service",
    );
    expect(stdout).toContain("mv     deployable_strategies/bear_trap/aws_deployment/.env → prod/bear_trap/.env");
    expect(stdout).toContain("edit   .github/workflows/deploy-strategies.yml");
    expect(stdout).toContain("Dry run: nothing changed.");
    expect(existsSync(join(repo.root, "prod"))).toBe(false);
    expect(existsSync(join(repo.root, "tradeops.yaml"))).toBe(false);
    expect(repo.git("status", "--porcelain")).toBe(before);
  });

  it("--apply moves with git mv so that git log --follow keeps history, and writes a manifest that checks", async () => {
    const repo = magellanRepo();
    const { code, stderr } = await cli(["migrate", "--apply"], { cwd: repo.root });
    expect(code, stderr).toBe(0);
    repo.git("commit", "-qm", "Move strategies to prod/");
    for (const s of STRATEGIES) {
      const log = repo.git("log", "--follow", "--format=%s", "--", `prod/${s}/strategy.py`).trim().split("\n");
      expect(log).toEqual(["Move strategies to prod/", "magellan: as it is today"]);
      expect(existsSync(join(repo.root, `prod/${s}/.env`))).toBe(true);
      expect(existsSync(join(repo.root, `deployable_strategies/${s}`))).toBe(false);
    }
    const unit = readFileSync(join(repo.root, "prod/bear_trap/deployment/systemd/magellan-bear-trap.service"), "utf8");
    expect(unit).toContain("ExecStart=/home/ssm-user/magellan/.venv/bin/python prod/bear_trap/runner.py");
    expect(readFileSync(join(repo.root, ".github/workflows/deploy-strategies.yml"), "utf8")).toContain("'prod/**'");
    const m = parse(readFileSync(join(repo.root, "tradeops.yaml"), "utf8"));
    expect(m.projects.bear_trap).toMatchObject({
      path: "prod/bear_trap",
      kind: "strategy",
      commands: { start: "python3 runner.py" },
      config: { base: "config.json" },
    });
    expect(m.projects.bear_trap.secrets.ALPACA_API_KEY.development).toEqual([
      "dotenv:.env#ALPACA_API_KEY",
      "env:ALPACA_API_KEY",
    ]);
    expect(repo.git("status", "--porcelain")).toBe("");
    const check = await cli(["config", "check", "--all-envs", "--json"], { cwd: repo.root });
    const report = JSON.parse(check.stdout);
    // only the .env files' modes are left to fix, as init lists them
    const problems = report.projects.flatMap((p: { results: { ok: boolean; check: string }[] }) =>
      p.results.filter((r) => !r.ok).map((r) => r.check),
    );
    expect(problems).toEqual(["file-modes", "file-modes", "file-modes"]);
  });

  it("says where it looked when there is nothing to migrate", async () => {
    const repo = magellanRepo();
    const r = await cli(["migrate", "--from", "strategies"], { cwd: repo.root });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("No deployable strategies folder found in");
  });
});
