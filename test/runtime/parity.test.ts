/**
 * Signal parity on the example desk's argo: the active release's signals, recorded in a real SQLite signal log
 * where the release runs, against a replay of the new release on the same bars.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSignalParity, decisionKey } from "../../src/runtime/parity.js";
import { backtestProject } from "../../src/runtime/runner.js";
import { openSignalStore } from "../../src/signals/open.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { copyWorkspace } from "../helpers/cli.js";

let root: string;
let activeRoot: string;
let recorded: string[] = [];

beforeAll(async () => {
  root = copyWorkspace();
  activeRoot = mkdtempSync(join(tmpdir(), "tradeops-active-"));
  const workspace = loadWorkspace({ workspace: root });
  // what the active release decided: a backtest of the same code and config, its signals as the runtime records them
  const { report } = await backtestProject({ workspace, project: "argo", environment: "test", env: {} });
  const store = await openSignalStore({ workspace: { ...workspace, root: activeRoot }, environment: "test", env: {} });
  await store.append(
    (report.signals ?? []).map((s) => ({
      project: "argo",
      kind: "signal" as const,
      release: "r1",
      payload: { clockTime: new Date(s.time).toISOString(), symbol: s.symbol, ...s.payload },
    })),
  );
  await store.close();
  recorded = (report.signals ?? []).map((s) => decisionKey(s.time, s.symbol, s.payload.side));
}, 60_000);

afterAll(() => {
  rmSync(activeRoot, { recursive: true, force: true });
});

const check = (activeRelease: string, days = 100_000) =>
  checkSignalParity({
    workspace: loadWorkspace({ workspace: root }),
    project: "argo",
    environment: "test",
    env: {},
    activeRelease,
    activeRoot,
    days,
  });

describe("signal parity", () => {
  it("finds every recorded decision again when the release is the same, in the window asked for", async () => {
    expect(recorded.length).toBeGreaterThan(10);
    const result = await check("r1");
    expect(result.status).toBe("same");
    expect(result.diff).toMatchObject({ a: recorded.length, b: recorded.length, same: recorded.length });
    expect(result.store).toContain("test-signals.db");
    // only the window is compared: the days before the newest recorded bar
    const year = await check("r1", 365);
    const to = Date.parse(year.window!.to);
    expect(to - Date.parse(year.window!.from)).toBe(365 * 86_400_000);
    expect(year.diff!.a).toBe(recorded.filter((k) => Date.parse(k.slice(0, 24)) >= to - 365 * 86_400_000).length);
    expect(year.status).toBe("same");
  });

  it("says so when the active release has recorded nothing", async () => {
    const result = await check("r0");
    expect(result).toMatchObject({ status: "no-records", activeRelease: "r0" });
    expect(result.diff).toBeUndefined();
  });

  it("names the first divergent decision of a changed parameter", async () => {
    const overlay = join(root, "argo/config/test.yaml");
    const before = readFileSync(overlay, "utf8");
    writeFileSync(overlay, `${before}strategy:\n  slow_window: 45\n`);
    try {
      const result = await check("r1");
      expect(result.status).toBe("diverged");
      const first = result.diff!.firstDivergence!;
      expect(first.a).toBe(recorded[first.index]);
      expect(first.b).not.toBe(first.a);
      expect(first.b).toMatch(/^\d{4}-\d\d-\d\dT00:00:00\.000Z SPY (buy|sell|flat)$/);
    } finally {
      writeFileSync(overlay, before);
    }
  });
});
