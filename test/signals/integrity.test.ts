/**
 * What the hashes alone cannot show, through `tradeops signals verify` on a SQLite store: dropped triggers, a store
 * whose records and heads were all deleted (the high-water mark remembers), a chain rewritten end to end against a
 * saved anchor, a truncated chain against its anchor, and a dropped table (69, not an internal error). Each is
 * reported with a reason naming what changed; `signals anchor` prints the value to save, `--append` keeps it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openSignalStoreAt } from "../../src/signals/index.js";
import { cli } from "../helpers/cli.js";
import { signals } from "./backends.js";

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tradeops-integrity-"));
  mkdirSync(join(dir, "bot"));
  db = join(dir, "signals.db");
  writeFileSync(
    join(dir, "tradeops.yaml"),
    `name: integrity\nenvironments:\n  development:\n    signals: { store: "sqlite:signals.db" }\nprojects:\n  bot: { path: bot }\n  lab: { path: bot }\n`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function fill(): Promise<void> {
  const store = await openSignalStoreAt({ backend: "sqlite", path: db, display: db }, { environment: "development" });
  await store.append(signals("bot", 6));
  await store.append(signals("lab", 3));
  await store.close();
}
const run = (...args: string[]) => cli(["--env", "development", ...args], { cwd: dir, env: {} });
function raw(fn: (d: Database.Database) => void): void {
  const d = new Database(db);
  try {
    fn(d);
  } finally {
    d.close();
  }
}
const dropTriggers = (d: Database.Database) => {
  for (const t of d.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[])
    d.exec(`DROP TRIGGER ${t}`);
};

it("an intact store verifies; anchor prints and appends the heads to save", async () => {
  await fill();
  expect((await run("signals", "verify")).code).toBe(0);
  const anchor = await run("signals", "anchor", "--append", "anchors.txt");
  expect(anchor.code).toBe(0);
  const lines = anchor.stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("development/"));
  expect(lines).toEqual([
    expect.stringMatching(/^development\/bot 6:[0-9a-f]{64}$/),
    expect.stringMatching(/^development\/lab 3:[0-9a-f]{64}$/),
  ]);
  expect(readFileSync(join(dir, "anchors.txt"), "utf8")).toBe(`${lines.join("\n")}\n`);
  expect(statSync(join(dir, "anchors.txt")).mode & 0o777).toBe(0o600);
  const json = JSON.parse((await run("--json", "signals", "anchor", "bot")).stdout);
  expect(json.anchors[0]).toMatchObject({ project: "bot", seq: 6 });
  const ok = await run("signals", "verify", "--anchors", "anchors.txt");
  expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  expect(ok.stdout).toContain("anchor bot 6:");
  const head = lines[0]!.split(" ")[1]!;
  expect((await run("signals", "verify", "bot", "--expect-head", head)).code).toBe(0);
  // the high-water mark cannot be lowered or deleted while its triggers stand
  expect(() => raw((d) => d.prepare("UPDATE signal_high_water SET seq = 1 WHERE project = 'lab'").run())).toThrow(
    /only rises/,
  );
  expect(() => raw((d) => d.prepare("DELETE FROM signal_high_water").run())).toThrow(/cannot be deleted/);
});

it("a dropped trigger is reported even when every record is intact", async () => {
  await fill();
  raw((d) => d.exec("DROP TRIGGER signal_records_no_delete"));
  const { code, stdout, stderr } = await run("signals", "verify");
  expect(code).toBe(1);
  expect(stdout).toContain("trigger-dropped: the append-only trigger signal_records_no_delete is missing");
  expect(stderr).toContain("fails its integrity check");
});

it("a wiped store (records and heads deleted) is not 'no records yet'", async () => {
  await fill();
  raw((d) => {
    dropTriggers(d);
    d.exec("DELETE FROM signal_records; DELETE FROM signal_chains;");
  });
  const { code, stdout } = await run("signals", "verify");
  expect(code).toBe(1);
  expect(stdout).toContain(
    "development/bot records-wiped: the chain once held records through 6, and its head is gone",
  );
  expect(stdout).not.toContain("no signal records");
});

it("a chain rewritten end to end verifies by its hashes, and is caught by the saved anchor", async () => {
  await fill();
  const saved = (await run("signals", "anchor", "bot")).stdout.trim().split(" ")[1]!;
  raw((d) => {
    dropTriggers(d);
    d.exec(
      "DELETE FROM signal_records WHERE project = 'bot'; DELETE FROM signal_chains WHERE project = 'bot'; DELETE FROM signal_high_water WHERE project = 'bot';",
    );
  });
  const store = await openSignalStoreAt({ backend: "sqlite", path: db, display: db }, { environment: "development" });
  await store.append(signals("bot", 6, 100)); // a forged history, chained correctly
  await store.close();
  const { code, stdout } = await run("signals", "verify", "bot", "--expect-head", saved);
  expect(code).toBe(1);
  expect(stdout).toMatch(
    /anchor-mismatch: record 6 now has hash [0-9a-f]{12}, the saved anchor says [0-9a-f]{12}: the chain was rewritten/,
  );
});

it("a truncated chain is caught by its anchor and by the high-water mark", async () => {
  await fill();
  const saved = (await run("signals", "anchor", "bot")).stdout.trim().split(" ")[1]!;
  raw((d) => {
    dropTriggers(d);
    d.exec("DELETE FROM signal_records WHERE project = 'bot' AND seq > 4");
    d.exec(
      "UPDATE signal_chains SET head_seq = 4, head_hash = (SELECT hash FROM signal_records WHERE project = 'bot' AND seq = 4) WHERE project = 'bot'",
    );
  });
  const { code, stdout } = await run("signals", "verify", "bot", "--expect-head", saved);
  expect(code).toBe(1);
  expect(stdout).toContain("head-lowered: the chain once reached record 6; its head now says 4");
  expect(stdout).toContain("anchor-missing: record 6 of the saved anchor is gone: the chain now ends at 4");
});

it("a dropped table exits 69 with the store named; a bad --expect-head is a usage error", async () => {
  await fill();
  expect((await run("signals", "verify", "bot", "--expect-head", "6:nothex")).code).toBe(64);
  raw((d) => d.exec("DROP TABLE signal_records"));
  const { code, stderr } = await run("signals", "verify");
  expect(code, stderr).toBe(69);
  expect(stderr).toContain("signals.db");
  expect(stderr).not.toMatch(/\n\s+at /);
});
