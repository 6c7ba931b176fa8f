/** The generated systemd unit: the settings that matter, quoting, and systemd's own verifier. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSystemdUnit, renderSystemdUnit, systemdQuote, systemdUnitName } from "../../src/supervisor/systemd.js";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { ROOT } from "./helpers.js";

const options = {
  workspaceName: "desk",
  workspaceRoot: "/srv/desk",
  environment: "production",
  detectVariable: "ARGO_ENVIRONMENT",
  stateDir: "/srv/desk/.tradeops/production/supervisor",
  nodePath: process.execPath,
  entry: join(ROOT, "bin/tradeops.js"),
  user: "deploy",
};

describe("renderSystemdUnit", () => {
  const unit = parseSystemdUnit(renderSystemdUnit(options));
  const service = unit.get("Service")!;
  const one = (key: string) => service.get(key)?.[0];

  it("restarts the supervisor forever instead of systemd's give-up after 5 starts in 10 s", () => {
    expect(unit.get("Unit")!.get("StartLimitIntervalSec")).toEqual(["0"]);
    expect(one("Restart")).toBe("always");
    expect(Number(one("RestartSec"))).toBeGreaterThan(0);
  });
  it("lets services outlive a supervisor crash (KillMode=process) and stops it with time for their grace", () => {
    expect(one("KillMode")).toBe("process");
    expect(Number(one("TimeoutStopSec"))).toBeGreaterThanOrEqual(15);
  });
  it("pins the environment and limits explicitly", () => {
    const env = service.get("Environment")!;
    expect(env).toContain("ARGO_ENVIRONMENT=production");
    expect(env).toContain("TRADEOPS_STATE_DIR=/srv/desk/.tradeops/production/supervisor");
    const path = env
      .find((e) => e.startsWith("PATH="))!
      .slice(5)
      .split(":");
    expect(path).toContain(dirname(process.execPath));
    expect(path).toContain("/usr/bin");
    expect(new Set(path).size).toBe(path.length);
    expect(one("LimitNOFILE")).toBe("65536");
    expect(one("User")).toBe("deploy");
    expect(one("ExecStart")).toBe(
      `${process.execPath} ${options.entry} --workspace /srv/desk --env production supervisor run`,
    );
    expect(unit.get("Install")!.get("WantedBy")).toEqual(["multi-user.target"]);
  });
  it("names the unit per workspace and environment, and quotes what systemd would expand", () => {
    expect(systemdUnitName("desk", "staging")).toBe("tradeops-desk-staging.service");
    expect(systemdQuote("/plain/path")).toBe("/plain/path");
    expect(systemdQuote("/with space/100%")).toBe('"/with space/100%%"');
    expect(systemdQuote("A=$HOME")).toBe("A=$$HOME");
    expect(systemdQuote('say "hi"')).toBe('"say \\"hi\\""');
  });
});

describe("tradeops generate systemd", () => {
  it("writes a unit that systemd-analyze verify accepts without a warning", async () => {
    const dir = copyWorkspace();
    const out = mkdtempSync(join(tmpdir(), "tradeops-units-"));
    const result = await cli(
      ["--workspace", dir, "--env", "production", "generate", "systemd", "--out", out, "--set", "AWS_REGION=eu-west-1"],
      {
        env: { PATH: process.env.PATH },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const path = join(out, "tradeops-desk-production.service");
    expect(result.stdout).toContain(path);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("Environment=AWS_REGION=eu-west-1");
    expect(text).toContain(`--workspace ${dir} --env production supervisor run`);
    const analyze = "/usr/bin/systemd-analyze";
    expect(existsSync(analyze), "systemd-analyze is provisioned (package systemd)").toBe(true);
    const verify = spawnSync(analyze, ["verify", "--man=no", path], { encoding: "utf8" });
    expect(verify.stderr).toBe("");
    expect(verify.status).toBe(0);
    // the verifier does catch mistakes: a misspelt key and a missing binary
    const broken = join(out, "broken.service");
    writeFileSync(
      broken,
      text.replace("KillMode=process", "KilMode=process").replace(process.execPath, "/nonexistent/node"),
    );
    const bad = spawnSync(analyze, ["verify", "--man=no", broken], { encoding: "utf8" });
    expect(bad.stderr).toMatch(/Unknown key name 'KilMode'|Unknown key 'KilMode'/);
    expect(bad.stderr).toMatch(/nonexistent\/node/);
  });
  it("refuses a malformed --set with a usage error, writing nothing", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "tradeops-units-")), "units");
    const result = await cli(["--workspace", copyWorkspace(), "generate", "systemd", "--out", out, "--set", "1BAD"], {
      env: {},
    });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--set takes NAME=VALUE, got "1BAD"');
    expect(existsSync(out)).toBe(false);
  });
});
