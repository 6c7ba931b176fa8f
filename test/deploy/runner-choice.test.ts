/** The runner is decided once per target: chosen at the first deploy, recorded, kept, changed only by --runner. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { targetLayout } from "../../src/deploy/layout.js";
import { targetRecords } from "../../src/deploy/records.js";
import { chooseRunner, recordRunner } from "../../src/deploy/runner-choice.js";
import { targetFiles } from "../../src/deploy/target-files.js";
import { createExecutor } from "../../src/exec/create.js";

const root = mkdtempSync(join(tmpdir(), "tradeops-runner-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const executor = createExecutor("local");
let n = 0;
/** A target directory whose state.json holds `state` (none when undefined). */
function target(state?: object): string {
  const path = join(root, `t${n++}`);
  mkdirSync(join(path, "shared"), { recursive: true });
  if (state) writeFileSync(join(path, "shared/state.json"), JSON.stringify(state));
  return path;
}
const recorded = async (path: string) =>
  (await targetRecords(targetFiles(executor), targetLayout(path)).readState()).runner;

describe("chooseRunner", () => {
  it("a first deploy runs supervised, and records it", async () => {
    const path = target();
    const choice = await chooseRunner(executor, path);
    expect(choice).toMatchObject({ kind: "supervisor" });
    expect(choice.note).toContain("releases run under the supervisor runner here");
    await recordRunner(targetRecords(targetFiles(executor), targetLayout(path)), choice);
    expect(await recorded(path)).toBe("supervisor");
    // the next deploy (or rollback) without --runner uses it, and has nothing to say
    expect(await chooseRunner(executor, path)).toEqual({ kind: "supervisor", recorded: "supervisor" });
  });

  it("--runner on a first deploy is recorded as given", async () => {
    expect(await chooseRunner(executor, target(), "direct")).toMatchObject({ kind: "direct" });
  });

  it("keeps the recorded runner; --runner changes it, says so, and names the old one to bridge", async () => {
    const path = target({ colors: {}, runner: "direct" });
    expect(await chooseRunner(executor, path)).toEqual({ kind: "direct", recorded: "direct" });
    const change = await chooseRunner(executor, path, "supervisor");
    expect(change).toMatchObject({ kind: "supervisor", recorded: "direct" });
    expect(change.note).toBe("the runner changes from direct to supervisor (--runner; recorded on the target)");
  });

  it("a target deployed before runners were recorded keeps the runner its records show", async () => {
    const colors = { blue: { release: "r1", port: 1, startedAt: "", orders: false } };
    expect(await chooseRunner(executor, target({ active: "blue", colors }))).toMatchObject({
      kind: "direct",
      recorded: "direct",
    });
    const supervised = target({ active: "blue", colors });
    mkdirSync(join(supervised, "shared/supervisor/blue"), { recursive: true });
    writeFileSync(join(supervised, "shared/supervisor/blue/state.json"), "{}");
    expect(await chooseRunner(executor, supervised)).toMatchObject({ kind: "supervisor", recorded: "supervisor" });
  });
});
