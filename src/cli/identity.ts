/** Who runs this command and from where, for deploy records and locks; and how this very tradeops is run again. */
import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import { tradeopsEntry } from "../supervisor/launch.js";
import type { CommandRun } from "./program.js";

/** how long `git config` may take before the OS user is used instead */
const GIT_DEADLINE_MS = 2_000;

export function hostnameOf(run: CommandRun): string {
  return run.io.hostname?.() ?? "localhost";
}

/**
 * `who@host` for the records: `TRADEOPS_DEPLOYER` (a CI job or a person named explicitly), else git's
 * user.email or user.name in the workspace, else the OS user. Never "unknown".
 */
export function whoAmI(run: CommandRun, cwd = run.io.cwd): string {
  if (run.io.env.TRADEOPS_DEPLOYER) return run.io.env.TRADEOPS_DEPLOYER;
  return `${gitUser(run, cwd) ?? osUser(run)}@${hostnameOf(run)}`;
}

function gitUser(run: CommandRun, cwd: string): string | undefined {
  for (const key of ["user.email", "user.name"]) {
    try {
      const value = execFileSync("git", ["config", "--get", key], {
        cwd,
        encoding: "utf8",
        timeout: GIT_DEADLINE_MS,
        env: run.io.env,
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      if (value) return value;
    } catch {
      // no git, no repository or no such key: the next source
    }
  }
  return undefined;
}

function osUser(run: CommandRun): string {
  return osUserName(run.io.env);
}

/** The OS account running this process: its passwd name, else USER/LOGNAME, else `uid N`; never "unknown". */
export function osUserName(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username || env.USER || env.LOGNAME || `uid ${process.getuid?.() ?? "?"}`;
  } catch {
    // a uid without a passwd entry (containers)
    return env.USER || env.LOGNAME || `uid ${process.getuid?.() ?? "?"}`;
  }
}

/** How this very tradeops is run again (for the supervisor runner on local targets); the supervisor's override wins. */
export function selfCommand(run: CommandRun): string[] | undefined {
  const entry = run.io.env.TRADEOPS_SUPERVISOR_ENTRY || process.argv[1];
  if (entry && /tradeops(\.js)?$/.test(entry)) return [process.execPath, entry];
  try {
    // run as a library (tests, the console): this package's own bin/tradeops.js
    return [process.execPath, tradeopsEntry(run.io.env)];
  } catch {
    return undefined;
  }
}
