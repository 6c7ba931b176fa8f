/**
 * The independent verification scripts in docs/signals.md work as printed: run with python3 against a real SQLite
 * store and a real CSV export, they accept an intact chain and reject a tampered one.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, expect, it } from "vitest";
import { CSV_HEADER, recordToCsv } from "../../src/signals/export.js";
import { openSignalStoreAt, type SignalRecord, type SignalStore } from "../../src/signals/index.js";
import { signals } from "./backends.js";

const DOC = readFileSync(join(import.meta.dirname, "../../docs/signals.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "tradeops-docs-"));
const stores: SignalStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string): string {
  const match = new RegExp(`<!-- test: ${name} -->\\n\`\`\`python\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  expect(match, `a python block marked "test: ${name}" in docs/signals.md`).not.toBeNull();
  const path = join(dir, `${name}.py`);
  writeFileSync(path, match![1]!);
  return path;
}

function python(...args: string[]) {
  const r = spawnSync("python3", args, { encoding: "utf8" });
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

async function chain(file: string): Promise<{ path: string; records: SignalRecord[] }> {
  const path = join(dir, file);
  const store = await openSignalStoreAt({ backend: "sqlite", path, display: file }, { environment: "production" });
  stores.push(store);
  const payloads = signals("argo", 6).map((s, i) => ({
    ...s,
    payload: { ...(s.payload as object), note: `é "q" ${i}` },
  }));
  return { path, records: [...(await store.append(payloads))] };
}

it("the SQLite script accepts an intact chain and names a changed record", async () => {
  const verify = script("verify-sqlite");
  const { path, records } = await chain("intact.db");
  expect(python(verify, path, "production", "argo")).toEqual({
    code: 0,
    out: `ok: production/argo up to record 6, head ${records[5]!.hash}`,
  });
  const db = new Database(path);
  db.exec("DROP TRIGGER signal_records_no_update");
  db.exec(`UPDATE signal_records SET payload = '{"side":"buy"}' WHERE seq = 4`);
  db.close();
  expect(python(verify, path, "production", "argo")).toEqual({
    code: 1,
    out: "record 4: its content does not match its hash",
  });
});

it("the CSV script accepts an export and names a record that does not follow", async () => {
  const verify = script("verify-csv");
  const { records } = await chain("csv.db");
  const csv = join(dir, "argo.csv");
  writeFileSync(csv, `${[CSV_HEADER, ...records.map(recordToCsv)].join("\n")}\n`);
  expect(python(verify, csv)).toEqual({ code: 0, out: `ok: records up to 6, head ${records[5]!.hash}` });
  writeFileSync(csv, `${[CSV_HEADER, ...records.filter((r) => r.seq !== 3).map(recordToCsv)].join("\n")}\n`);
  expect(python(verify, csv)).toEqual({ code: 1, out: "record 4: does not follow record 2" });
});
