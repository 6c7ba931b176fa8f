import { describe, expect, it } from "vitest";
import { cli, DESK } from "../helpers/cli.js";

describe("tradeops env", () => {
  it("--json on the example workspace gives environment and source as SPEC §4 says", async () => {
    const { code, stdout } = await cli(["--workspace", DESK, "env", "--json"], { env: { ARGO_ENVIRONMENT: "prod" } });
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.environment).toBe("production");
    expect(out.source).toBe("variable");
    expect(out.detail).toBe("ARGO_ENVIRONMENT=prod (alias of production)");
    expect(out.evaluated.map((e: { rule: string }) => e.rule)).toEqual([
      "flag",
      "variable",
      "marker",
      "path",
      "hostname",
      "default",
    ]);
    for (const e of out.evaluated)
      expect(Object.keys(e)).toEqual(expect.arrayContaining(["rule", "matched", "detail"]));
  });
  it("defaults to development on a laptop and explains each rule", async () => {
    const { code, stdout } = await cli(["--workspace", DESK, "env"], { hostname: "laptop" });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^development {2}decided by default/);
    expect(stdout).toContain("hostname laptop contains no configured fragment");
  });
  it("uses the hostname rule on a production host", async () => {
    const { stdout } = await cli(["--workspace", DESK, "env", "--json"], { hostname: "ip-10-0-0-1.production" });
    expect(JSON.parse(stdout)).toMatchObject({ environment: "production", source: "hostname" });
  });
  it("warns when a lower rule disagrees with the deciding one", async () => {
    const { code, stderr } = await cli(["--workspace", DESK, "--env", "dev", "env"], { hostname: "argo-prod-1" });
    expect(code).toBe(0);
    expect(stderr).toContain("hostname rule points to production");
  });
  it("an unknown variable value exits 78 with one sentence and what to do", async () => {
    const { code, stderr } = await cli(["--workspace", DESK, "env"], { env: { ARGO_ENVIRONMENT: "qa" } });
    expect(code).toBe(78);
    expect(stderr.split("\n")[0]).toBe('error: ARGO_ENVIRONMENT="qa" is not a known environment.');
    expect(stderr).toContain("→ Set ARGO_ENVIRONMENT to one of");
  });
});

describe("CLI conventions", () => {
  it("an unknown flag is a usage error (64)", async () => {
    const { code, stderr } = await cli(["env", "--jsn"]);
    expect(code).toBe(64);
    expect(stderr).toContain("unknown option '--jsn'");
  });
  it("an unknown command suggests the closest one", async () => {
    const { code, stderr } = await cli(["evn"]);
    expect(code).toBe(64);
    expect(stderr).toContain("(Did you mean env?)");
  });
  it("--json errors are JSON on stdout", async () => {
    const { code, stdout } = await cli(["--json", "--workspace", "/nonexistent-dir", "env"]);
    expect(code).toBe(78);
    expect(JSON.parse(stdout).error.code).toBe("TRO_ERR_WORKSPACE_NOT_FOUND");
  });
  it("--verbose adds the stack trace; without it there is none", async () => {
    const quiet = await cli(["--workspace", "/nonexistent-dir", "env"]);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const verbose = await cli(["--verbose", "--workspace", "/nonexistent-dir", "env"]);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
  it("every command's --help shows examples", async () => {
    for (const args of [
      [],
      ["env"],
      ["projects"],
      ["config", "show"],
      ["config", "check"],
      ["config", "example"],
      ["completion"],
    ]) {
      const { code, stdout } = await cli([...args, "--help"]);
      expect(code, args.join(" ")).toBe(0);
      expect(stdout, args.join(" ")).toContain("Examples:\n  $ tradeops");
    }
  });
  it("projects --json lists the desk", async () => {
    const { stdout } = await cli(["--workspace", DESK, "projects", "--json"]);
    expect(JSON.parse(stdout).projects.map((p: { name: string }) => p.name)).toContain("signal-lab");
  });
});
