/** The hot path: exactly what the full CLI prints for the commands it takes, and nothing for what it does not. */
import { describe, expect, it } from "vitest";
import { parseHot, runHot } from "../../src/cli/hot.js";
import { cli, DESK } from "../helpers/cli.js";

const run = async (args: string[], env: Record<string, string> = {}) => {
  let stdout = "";
  let stderr = "";
  const code = await runHot(
    args,
    {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: { TRADEOPS_NO_CACHE: "1", ...env },
      cwd: process.cwd(),
      hostname: () => "test-host",
    },
    "0.0.0-test",
  );
  return { code, stdout, stderr };
};

describe("the CLI's hot path", () => {
  it("takes one hot command with known global flags, in any order", () => {
    expect(parseHot(["env"])?.name).toBe("env");
    expect(parseHot(["--workspace", "w", "env", "--json", "-q", "--no-color", "-e", "prod"])?.globals).toEqual({
      workspace: "w",
      env: "prod",
      json: true,
      quiet: true,
      verbose: false,
      color: false,
    });
    expect(parseHot(["--workspace=w", "env", "--env=staging"])?.globals).toMatchObject({
      workspace: "w",
      env: "staging",
    });
  });

  it("leaves everything else to the full CLI", () => {
    for (const argv of [
      [],
      ["env", "--help"],
      ["-h", "env"],
      ["--version"],
      ["env", "extra"],
      ["env", "env"],
      ["-qv", "env"],
      ["-w=w", "env"],
      ["-w", "env"],
      ["-w", "a", "-w", "b", "env"],
      ["env", "--"],
      ["config", "show", "argo"],
      ["projects"],
    ])
      expect(parseHot(argv), argv.join(" ")).toBeUndefined();
  });

  it("prints what the full CLI prints", async () => {
    for (const args of [
      ["--workspace", DESK, "env", "--json"],
      ["--workspace", DESK, "env"],
      ["-w", DESK, "-e", "staging", "env", "-q"],
    ]) {
      const env = { ARGO_ENVIRONMENT: "prod" };
      const hot = await run(args, env);
      const full = await cli(args, { env, hostname: "test-host" });
      expect(hot).toEqual({ ...full, code: full.code });
      expect(hot.code).toBe(0);
    }
  });

  it("prints nothing on failure, so that the full CLI reports it", async () => {
    expect(await run(["--workspace", "/nonexistent/desk", "env"])).toEqual({ code: undefined, stdout: "", stderr: "" });
    expect(await run(["--workspace", DESK, "env", "--env", "nowhere"])).toEqual({
      code: undefined,
      stdout: "",
      stderr: "",
    });
  });
});
