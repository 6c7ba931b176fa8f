import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { planNewProject } from "../../src/adopt/new.js";
import { loadWorkspace } from "../../src/workspace/load.js";

function workspaceWith(environments: string[]) {
  const root = mkdtempSync(join(tmpdir(), "tradeops-new-"));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "feed"));
  const declared = environments.map((e) => `  ${e}: {}`).join("\n");
  writeFileSync(
    join(root, "tradeops.yaml"),
    `name: shop\nenvironments:\n${declared}\nprojects:\n  feed: { path: feed }\n`,
  );
  return loadWorkspace({ workspace: root });
}

describe("what `tradeops new` says to do next", () => {
  it("a Python strategy is run through `tradeops run`, never backtest or serve, which load a defineStrategy module", () => {
    const workspace = workspaceWith(["development", "staging"]);
    const plan = planNewProject({ workspace, kind: "strategy", name: "meanrev", lang: "python" });
    expect(plan.next).toEqual([
      "tradeops run meanrev -- python3 main.py",
      "tradeops health meanrev",
      "tradeops deploy meanrev to staging",
    ]);
  });

  it("a deploy to staging is offered only where staging is declared (and so has the new target)", () => {
    const workspace = workspaceWith(["development", "production"]);
    expect(planNewProject({ workspace, kind: "strategy", name: "trend" }).next).toEqual([
      "tradeops backtest trend",
      "tradeops serve trend",
    ]);
    expect(planNewProject({ workspace, kind: "service", name: "quotes" }).next).toEqual([
      "tradeops up quotes",
      "tradeops health quotes --level 3",
    ]);
  });
});
