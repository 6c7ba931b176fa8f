/** Bad input to the supervisor commands: one sentence, a sysexits code, and nothing started or written. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { makeWorkspace } from "./helpers.js";

const env = { PATH: process.env.PATH, NO_COLOR: "1" };

describe("bad input", () => {
  const cases: [string[], number, RegExp][] = [
    [["start", "nope"], 64, /There is no project nope in tradeops\.yaml\./],
    [["start", "shared"], 64, /Project shared has no start command\./],
    [["start", "alpine-backend", "--port", "0"], 64, /--port must be a port number 1–65535, got "0"\./],
    [["start", "alpine-backend", "--port", "http"], 64, /--port must be a port number/],
    [
      ["start", "alpine-backend", "--color", "purple"],
      64,
      /argument 'purple' is invalid|Allowed choices are blue, green/,
    ],
    [["start", "alpine-backend", "--orders", "maybe"], 64, /Allowed choices are on, off/],
    [
      ["start", "alpine-backend", "--wait-healthy", "soon"],
      64,
      /--wait-healthy must be a number of seconds ≥ 0, got "soon"\./,
    ],
    [["start", "all", "--port", "9000"], 64, /--port and --dir apply to one project, not to all\./],
    [["stop", "nope"], 64, /There is no project nope/],
    [["stop", "alpine-backend", "--grace", "-1"], 64, /--grace must be a number of seconds ≥ 0, got "-1"\./],
    [["restart", "nope"], 64, /There is no project nope/],
    [["logs", "nope"], 64, /There is no project nope/],
    [["logs", "--lines", "many"], 64, /--lines must be a whole number ≥ 0, got "many"\./],
    [["up", "nope"], 64, /There is no project nope/],
    [["status", "--env", "qa"], 64, /qa/],
  ];
  for (const [args, code, message] of cases) {
    it(`tradeops ${args.join(" ")} → ${code}`, async () => {
      const dir = copyWorkspace();
      const result = await cli(["--workspace", dir, ...args], { env });
      expect(result.code).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")[0]!.length).toBeLessThan(200);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack without --verbose
      expect(existsSync(join(dir, ".tradeops/development/supervisor")), "no supervisor started, no state written").toBe(
        false,
      );
    });
  }

  it("--json errors are machine-readable", async () => {
    const result = await cli(["--workspace", copyWorkspace(), "start", "nope", "--json"], { env });
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "TRO_ERR_PROJECT_UNKNOWN" } });
  });
});

describe("with no supervisor running", () => {
  it("status, stop and logs say so, exit 0, and start nothing", async () => {
    const dir = copyWorkspace();
    const status = await cli(["--workspace", dir, "status"], { env });
    expect(status).toMatchObject({
      code: 0,
      stdout: "No supervisor runs for desk (development); nothing is started.\n",
    });
    expect(JSON.parse((await cli(["--workspace", dir, "status", "--json"], { env })).stdout)).toEqual({
      supervisor: null,
      instances: [],
      // no deploy target in development
      targets: [],
    });
    expect((await cli(["--workspace", dir, "stop"], { env })).stdout).toBe("Nothing runs for desk (development).\n");
    expect((await cli(["--workspace", dir, "logs", "alpine-backend"], { env })).stdout).toContain(
      "No logs yet for alpine-backend",
    );
    expect((await cli(["--workspace", dir, "supervisor", "stop"], { env })).code).toBe(0);
    expect(existsSync(join(dir, ".tradeops/development/supervisor"))).toBe(false);
  });
  it("honours TRADEOPS_STATE_DIR", async () => {
    const dir = copyWorkspace();
    const result = await cli(["--workspace", dir, "status"], {
      env: { ...env, TRADEOPS_STATE_DIR: "/nonexistent/state" },
    });
    expect(result.code).toBe(0);
    expect(existsSync("/nonexistent/state")).toBe(false);
  });
});

describe("logs", () => {
  it("redacts a secret the service printed, and prefixes lines when several logs are shown", async () => {
    const secret = "printed-secret-4471-value";
    const dir = makeWorkspace({
      leaky: { start: "true", raw: ["secrets:", "  TOKEN:", "    development: [env:TOKEN_SOURCE]"] },
      quiet: { start: "true" },
    });
    const logs = join(dir, ".tradeops/development/supervisor/logs");
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, "leaky.log"), `connecting with token ${secret}\nready\n`);
    writeFileSync(join(logs, "quiet.log"), "one\ntwo\nthree\n");
    writeFileSync(join(logs, "quiet.20250101T000000000Z.log"), "rotated, not shown\n");
    const one = await cli(["--workspace", dir, "logs", "leaky"], { env: { ...env, TOKEN_SOURCE: secret } });
    expect(one).toMatchObject({
      code: 0,
      stdout: "connecting with token [redacted: TOKEN from env:TOKEN_SOURCE]\nready\n",
    });
    const all = await cli(["--workspace", dir, "logs", "--lines", "2"], { env: { ...env, TOKEN_SOURCE: secret } });
    expect(all.stdout).not.toContain(secret);
    expect(all.stdout.split("\n").filter(Boolean)).toEqual([
      "leaky | connecting with token [redacted: TOKEN from env:TOKEN_SOURCE]",
      "leaky | ready",
      "quiet | two",
      "quiet | three",
    ]);
  });
});
