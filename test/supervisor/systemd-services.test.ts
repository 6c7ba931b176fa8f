/** `generate systemd --per-service` on a Magellan-style workspace: one hardened unit per strategy, verified by systemd. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSystemdUnit } from "../../src/supervisor/systemd.js";
import { cli } from "../helpers/cli.js";
import { magellanWorkspace } from "../helpers/shops.js";

const ANALYZE = "/usr/bin/systemd-analyze";

describe("tradeops generate systemd --per-service", () => {
  it("writes magellan-bear-trap.service and its siblings: environment pinned, restart budget, hardening", async () => {
    const dir = magellanWorkspace();
    const out = mkdtempSync(join(tmpdir(), "tradeops-units-"));
    const args = ["--workspace", dir, "--env", "production", "generate", "systemd", "--per-service"];
    const result = await cli([...args, "--user", "magellan", "--out", out, "--set", "AWS_REGION=us-east-2"], {
      env: { PATH: process.env.PATH },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "magellan-bear-trap.service",
      "magellan-daily-trend.service",
      "magellan-hourly-swing.service",
    ]);
    const path = join(out, "magellan-bear-trap.service");
    const unit = parseSystemdUnit(readFileSync(path, "utf8"));
    const service = unit.get("Service")!;
    const one = (key: string) => service.get(key)?.[0];
    expect(one("ExecStart")).toMatch(new RegExp(`--workspace ${dir} --env production run magellan-bear-trap$`));
    expect(one("WorkingDirectory")).toBe(join(dir, "prod/bear_trap"));
    expect(service.get("Environment")).toEqual(
      expect.arrayContaining(["TRADEOPS_ENV=production", "AWS_REGION=us-east-2", "LANG=C.UTF-8"]),
    );
    expect([one("Restart"), one("RestartSec")]).toEqual(["on-failure", "5"]);
    expect(unit.get("Unit")!.get("StartLimitBurst")).toEqual(["4"]); // the first start and 3 restarts
    expect([one("User"), one("NoNewPrivileges"), one("ProtectSystem")]).toEqual(["magellan", "true", "strict"]);
    expect(one("ReadWritePaths")).toBe(dir);
    expect(existsSync(ANALYZE), "systemd-analyze is provisioned (package systemd)").toBe(true);
    for (const name of readdirSync(out)) {
      const verify = spawnSync(ANALYZE, ["verify", "--man=no", join(out, name)], { encoding: "utf8" });
      expect(verify.stderr).toBe("");
      expect(verify.status).toBe(0);
    }
    // one project, as JSON
    const json = await cli([...args, "magellan-daily-trend", "--user", "magellan", "--json"], { env: {} });
    expect(JSON.parse(json.stdout).units.map((u: { unit: string }) => u.unit)).toEqual([
      "magellan-daily-trend.service",
    ]);
  });

  it("refuses to write a unit that runs as root, or for an unknown project (64), writing nothing", async () => {
    const dir = magellanWorkspace();
    const out = join(mkdtempSync(join(tmpdir(), "tradeops-units-")), "units");
    const base = ["--workspace", dir, "generate", "systemd", "--per-service", "--out", out];
    const root = await cli([...base, "--user", "root"], { env: {} });
    expect(root.code).toBe(64);
    expect(root.stderr).toContain("The unit of magellan-bear-trap would run as root.");
    const none = await cli(base, { env: {} });
    expect(none.code).toBe(64);
    const unknown = await cli([...base, "magellan-bear", "--user", "magellan"], { env: {} });
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("There is no project magellan-bear");
    expect(existsSync(out)).toBe(false);
  });
});
