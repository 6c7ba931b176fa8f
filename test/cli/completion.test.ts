import { describe, expect, it } from "vitest";
import { type CompletionSources, complete } from "../../src/cli/completion.js";
import { buildProgram } from "../../src/cli/program.js";

const program = buildProgram("0.0.0", async () => undefined);
const sources: CompletionSources = {
  environments: () => ["development", "dev", "staging", "stage", "production", "prod"],
  projects: () => ["argo", "signal-lab", "alpine-backend"],
  releases: async (project, environment) =>
    project === "argo" && environment === "staging" ? ["20261201T100000Z-aaaaaaa", "20261130T100000Z-bbbbbbb"] : [],
};
/** Completes the last word of a command line, as a TAB after it would. */
const tab = (line: string) => {
  const words = line.split(" ");
  return complete(program, words.slice(0, -1), words.at(-1)!, sources);
};

describe("completion offers values where a value is expected", () => {
  it("environments and their aliases after --env and in `deploy P to ENV`, never commands", async () => {
    expect(await tab("--env st")).toEqual(["stage", "staging"]);
    expect(await tab("status --env pr")).toEqual(["prod", "production"]);
    expect(await tab("deploy argo to st")).toEqual(["stage", "staging"]);
    expect(await tab("deploy argo ")).toEqual(expect.arrayContaining(["to", "staging"]));
    expect(await tab("gates argo --to p")).toEqual(["prod", "production"]);
  });
  it("projects, `all` where a command takes it, modes, colours, shells", async () => {
    expect(await tab("config show a")).toEqual(["alpine-backend", "argo"]);
    expect(await tab("health a")).toEqual(["all", "alpine-backend", "argo"]);
    expect(await tab("serve argo --mode ")).toEqual(["backtest", "live", "paper"]);
    expect(await tab("start argo --color ")).toEqual(["blue", "green"]);
    expect(await tab("completion ")).toEqual(["bash", "fish", "zsh"]);
    expect(await tab("target ")).toEqual(["logs", "proxy", "remove", "start", "status", "stop"]);
    expect(await tab("target stop al")).toEqual(["alpine-backend"]);
    expect(await tab("target status argo st")).toEqual(["stage", "staging"]);
    expect(await tab("target logs argo staging --color ")).toEqual(["blue", "green"]);
  });
  it("release ids of the project's target for rollback --release", async () => {
    expect(await tab("rollback argo staging --release 2026120")).toEqual(["20261201T100000Z-aaaaaaa"]);
    expect(await tab("rollback argo --env staging --to ")).toHaveLength(2);
  });
  it("subcommands and flags once each", async () => {
    const top = await tab("");
    expect(new Set(top).size).toBe(top.length);
    expect(top).toEqual(expect.arrayContaining(["deploy", "env", "signals"]));
    expect(await tab("signals ")).toEqual(["anchor", "append", "export", "prune", "tail", "verify"]);
    expect(await tab("env --js")).toEqual(["--json"]);
    // a flag value already given is not a subcommand position
    expect(await tab("--env staging con")).toEqual(["config", "console"]);
  });
});
