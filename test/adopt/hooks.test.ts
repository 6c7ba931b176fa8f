/** The pre-commit checks as pure functions over a staged diff. */
import { describe, expect, it } from "vitest";
import { checkStaged, stagedFiles } from "../../src/adopt/hooks.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

const diff = (file: string, ...added: string[]) =>
  `diff --git a/${file} b/${file}\nindex 1..2 100644\n--- a/${file}\n+++ b/${file}\n@@ -1,0 +2,${added.length} @@\n${added.map((l) => `+${l}`).join("\n")}\n`;

describe("pre-commit checks", () => {
  const workspace = loadWorkspace({ workspace: DESK });

  it("reads file names from the diff headers, spaces and quoted names included", () => {
    const text = `${diff("argo/a b.yaml", "x: 1")}diff --git "a/argo/t\\tab.md" "b/argo/t\\tab.md"\nBinary files differ\n`;
    expect(stagedFiles(text)).toEqual(["argo/a b.yaml", "argo/t\tab.md"]);
  });

  it("passes one project, flags two unrelated ones, and never keeps a secret's value", () => {
    const one = diff("argo/config/base.yaml", "x: 1");
    expect(checkStaged(workspace, { files: stagedFiles(one), diff: one }).ok).toBe(true);
    const two = one + diff("signal-lab/main.py", "y = 2");
    expect(checkStaged(workspace, { files: stagedFiles(two), diff: two }).mixed).toEqual([["argo"], ["signal-lab"]]);
    const secret = diff("signal-lab/config/base.yaml", "market_data_token: 9fQz7LrX2mWv8NpK4tYc");
    const report = checkStaged(workspace, { files: stagedFiles(secret), diff: secret });
    expect(report.secrets).toEqual([
      {
        file: "signal-lab/config/base.yaml",
        line: 2,
        key: "market_data_token",
        kind: "high-entropy value under a secret-looking key",
        masked: "9f… (20 characters)",
      },
    ]);
    expect(JSON.stringify(report)).not.toContain("9fQz7LrX2mWv8NpK4tYc");
  });
});
