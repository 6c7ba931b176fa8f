/** The installed command, as a person or a script runs it: real processes, exit codes, completion scripts. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DESK } from "../helpers/cli.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli.js")))
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT });
});

describe("bin/tradeops.js", () => {
  it("prints the package version", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(run(["--version"]).stdout.trim()).toBe(pkg.version);
  });
  it("exits with sysexits codes", () => {
    expect(run(["--workspace", DESK, "env"]).code).toBe(0);
    expect(run(["--workspace", DESK, "env", "--bogus"]).code).toBe(64);
    expect(run(["--workspace", DESK, "env"], { ARGO_ENVIRONMENT: "qa" }).code).toBe(78);
    expect(run(["--workspace", "/nonexistent", "env"]).code).toBe(78);
  });
  it("prints no colour codes when not on a terminal or with NO_COLOR", () => {
    for (const env of [{}, { NO_COLOR: "1" }] as Record<string, string>[]) {
      const { stdout } = run(["--workspace", DESK, "env"], env);
      expect(stdout).not.toContain("\u001b[");
    }
  });
  it("env --json on the example desk", () => {
    const { code, stdout } = run(["--workspace", DESK, "env", "--json"], { ARGO_ENVIRONMENT: "stage" });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ environment: "staging", source: "variable" });
  });
});

describe("shell completion", () => {
  it("bash: the script parses and completes commands, subcommands and project names", () => {
    const dir = mkdtempSync(join(tmpdir(), "tradeops-completion-"));
    symlinkSync(BIN, join(dir, "tradeops"));
    const script = run(["completion", "bash"]).stdout;
    writeFileSync(join(dir, "completion.bash"), script);
    expect(spawnSync("bash", ["-n", join(dir, "completion.bash")]).status).toBe(0);
    const complete = (line: string) => {
      const words = line.split(" ");
      const probe = `source ${dir}/completion.bash; cd ${DESK}; COMP_WORDS=(${words.map((w) => `"${w}"`).join(" ")}); COMP_CWORD=${words.length - 1}; _tradeops; echo "\${COMPREPLY[@]}"`;
      return spawnSync("bash", ["-c", probe], { encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}` } })
        .stdout.trim()
        .split(" ");
    };
    expect(complete("tradeops con")).toEqual(["config", "console"]);
    expect(complete("tradeops config ")).toEqual(expect.arrayContaining(["show", "check", "example"]));
    expect(complete("tradeops config show a")).toEqual(
      expect.arrayContaining(["argo", "alpine-backend", "alpine-frontend"]),
    );
    expect(complete("tradeops env --js")).toEqual(["--json"]);
    // values, not commands, where a value is expected
    expect(complete("tradeops --env st")).toEqual(["stage", "staging", "stg"]);
    expect(complete("tradeops deploy argo to prod")).toEqual(["prod", "production"]);
    expect(complete("tradeops serve argo --mode p")).toEqual(["paper"]);
    expect(complete("tradeops start argo --color ")).toEqual(["blue", "green"]);
    expect(complete("tradeops health a")).toEqual(["all", "alpine-backend", "alpine-frontend", "argo"]);
    // every top-level word once
    const top = complete("tradeops ");
    expect(new Set(top).size).toBe(top.length);
  });
  it("zsh and fish scripts are generated", () => {
    expect(run(["completion", "zsh"]).stdout).toContain("#compdef tradeops");
    expect(run(["completion", "fish"]).stdout).toContain("tradeops __complete");
    const asked = run(["__complete", "--workspace", DESK, "config", "show", "--", "arg"]);
    expect(asked.stdout.split("\n").filter(Boolean)).toEqual(["argo"]);
    expect(run(["completion", "tcsh"]).code).toBe(64);
  });
});
