/** Who the deploy records name: TRADEOPS_DEPLOYER, else git's user.email / user.name, else the OS user — never "unknown". */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { whoAmI } from "../../src/cli/identity.js";
import type { CommandRun } from "../../src/cli/program.js";

const home = mkdtempSync(join(tmpdir(), "tradeops-identity-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** An environment without USER, LOGNAME or any git identity of the machine's own. */
const bare = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1" };
const runIn = (cwd: string, env: Record<string, string>) =>
  ({ io: { cwd, env, hostname: () => "desk-1" } }) as unknown as CommandRun;

describe("whoAmI", () => {
  it("uses the OS account when USER is unset and git knows nobody", () => {
    const who = whoAmI(runIn(home, bare));
    expect(who).toBe(`${userInfo().username}@desk-1`);
    expect(who).not.toMatch(/unknown/);
  });

  it("prefers git's user.email, then user.name, of the workspace", () => {
    const repo = join(home, "repo");
    execFileSync("git", ["init", "-q", repo], { env: bare });
    execFileSync("git", ["config", "user.name", "Ada"], { cwd: repo, env: bare });
    expect(whoAmI(runIn(repo, bare))).toBe("Ada@desk-1");
    execFileSync("git", ["config", "user.email", "ada@desk.example"], { cwd: repo, env: bare });
    expect(whoAmI(runIn(repo, bare))).toBe("ada@desk.example@desk-1");
  });

  it("takes TRADEOPS_DEPLOYER as given (a CI job names itself)", () => {
    expect(whoAmI(runIn(home, { ...bare, TRADEOPS_DEPLOYER: "ci:release-42" }))).toBe("ci:release-42");
  });
});
