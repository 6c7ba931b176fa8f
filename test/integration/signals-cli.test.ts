/**
 * `tradeops signals …` against the example desk: SQLite in development, a real PostgreSQL in production. Good
 * paths, broken chains (exit 1), and bad input: unknown project (64), missing store (69), unreachable database
 * (69, password never shown), unset variable (78) — each one sentence, nothing created or changed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/context.js";
import type { EnvironmentName } from "../../src/environment/names.js";
import { canonicalJson, encodeRecord, openSignalStore, type SignalStore } from "../../src/signals/index.js";
import { cli, copyWorkspace, snapshot } from "../helpers/cli.js";
import { createDatabase } from "../helpers/postgres.js";
import { signals } from "../signals/backends.js";

const DAY = 86_400_000;
const opened: SignalStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function desk(environment: EnvironmentName = "development", env: Record<string, string> = {}) {
  const dir = copyWorkspace();
  const { workspace } = openWorkspace({ cwd: dir, env: {} });
  const store = await openSignalStore({ workspace, environment, env });
  opened.push(store);
  return { dir, store };
}

function tamper(dir: string, sql: string): void {
  const db = new Database(join(dir, "data/signals.db"));
  db.exec("DROP TRIGGER signal_records_no_update");
  db.exec(sql);
  db.close();
}

describe("tradeops signals verify", () => {
  it("reports every chain and exits 0 when intact", async () => {
    const { dir, store } = await desk();
    await store.append([...signals("argo", 5), ...signals("signal-lab", 2)]);
    const text = await cli(["signals", "verify"], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^✔ development\/argo {2}5 records \(1–5\), head [0-9a-f]{12}$/m);
    expect(text.stdout).toMatch(/^✔ development\/signal-lab {2}2 records \(1–2\)/m);
    const json = await cli(["signals", "verify", "argo", "--json"], { cwd: dir });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      environment: "development",
      store: "sqlite:data/signals.db",
      chains: [{ project: "argo", ok: true, records: 5, problems: 0 }],
    });
  });

  it("exits 1 and names the first bad record and why", async () => {
    const { dir, store } = await desk();
    await store.append(signals("argo", 5));
    tamper(dir, `UPDATE signal_records SET payload = '{"side":"buy"}' WHERE seq = 3`);
    const text = await cli(["signals", "verify", "argo"], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      "first bad record: 3 (changed): record 3 was changed: its content does not match its hash",
    );
    expect(text.stderr).toContain("error: the signal chain development/argo is broken at record 3 (changed).");
    const json = await cli(["signals", "verify", "--json"], { cwd: dir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, chains: [{ firstBad: { seq: 3, reason: "changed" } }] });
  });

  it("bad input: unknown project 64, missing store 69 (nothing created), unset variable 78", async () => {
    const dir = copyWorkspace();
    const before = snapshot(dir);
    const unknown = await cli(["signals", "verify", "nope"], { cwd: dir });
    expect([unknown.code, unknown.stderr.split("\n")[0]]).toEqual([
      64,
      "error: There is no project nope in tradeops.yaml.",
    ]);
    const missing = await cli(["signals", "verify"], { cwd: dir });
    expect([missing.code, missing.stderr.split("\n")[0]]).toEqual([
      69,
      "error: There is no signal store at data/signals.db.",
    ]);
    const unset = await cli(["signals", "verify", "--env", "production"], { cwd: dir });
    expect(unset.code).toBe(78);
    expect(unset.stderr.split("\n")[0]).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest syntax in the message
      "error: environments.production.signals.store uses ${DATABASE_URL}, which is not set.",
    );
    expect(unset.stderr).toMatch(/tradeops\.yaml:\d+:\d+ environments\.production\.signals\.store/);
    for (const r of [unknown, missing, unset]) expect(r.stderr).not.toMatch(/\n\s+at /);
    const json = await cli(["--json", "signals", "verify"], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "TRO_ERR_SIGNALS_STORE" } });
    expect(existsSync(join(dir, "data/signals.db"))).toBe(false);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a store file that is not a signal log is 69 in one sentence, and stays as it was", async () => {
    const dir = copyWorkspace();
    mkdirSync(join(dir, "data"));
    for (const [content, reason] of [
      ["not a database at all, just text\n".repeat(200), "file is not a database"],
      ["", "the file holds no tradeops signal log"],
    ]) {
      writeFileSync(join(dir, "data/signals.db"), content!);
      const r = await cli(["signals", "tail"], { cwd: dir });
      expect([r.code, r.stderr.split("\n")[0]]).toEqual([
        69,
        `error: Cannot open the signal store data/signals.db: ${reason}.`,
      ]);
      expect(readFileSync(join(dir, "data/signals.db"), "utf8")).toBe(content);
    }
  });

  it("an unreachable PostgreSQL is 69 in one sentence, and its password never appears", async () => {
    const dir = copyWorkspace();
    const env = { DATABASE_URL: "postgres://desk:hunter2-PLANTED@127.0.0.1:9/signals" };
    for (const flags of [[], ["--json"], ["--verbose"]]) {
      const r = await cli([...flags, "signals", "verify", "--env", "production"], { cwd: dir, env });
      expect(r.code).toBe(69);
      expect(r.stdout + r.stderr).not.toContain("hunter2-PLANTED");
      if (!flags.length)
        expect(r.stderr.split("\n")[0]).toBe(
          "error: Cannot connect to the signal store postgres://desk:***@127.0.0.1:9/signals: connection refused.",
        );
    }
  });

  it("verifies a production chain in a real PostgreSQL", async () => {
    const env = { DATABASE_URL: await createDatabase("cli") };
    const { dir, store } = await desk("production", env);
    await store.append(signals("argo", 4));
    const r = await cli(["signals", "verify", "argo", "--env", "prod"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ production\/argo {2}4 records \(1–4\)/m);
  });
});

describe("tradeops signals tail and export", () => {
  async function filled() {
    const { dir, store } = await desk();
    const t0 = Date.UTC(2025, 0, 1);
    await store.append(signals("argo", 6).map((s, i) => ({ ...s, time: new Date(t0 + i * DAY) })));
    await store.append(signals("signal-lab", 1).map((s) => ({ ...s, time: new Date(t0 + 10 * DAY) })));
    return { dir, store };
  }

  it("tail prints the newest records, oldest first; --json prints one document", async () => {
    const { dir } = await filled();
    const r = await cli(["signals", "tail", "-n", "3"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/^2025-01-05T00:00:00\.000Z {2}argo {2}#5 {2}signal {2}sma-cross {2}\{"n":4,/),
      expect.stringMatching(/^2025-01-06T00:00:00\.000Z {2}argo {2}#6 /),
      expect.stringMatching(/^2025-01-11T00:00:00\.000Z {2}signal-lab {2}#1 /),
    ]);
    const json = await cli(["signals", "tail", "argo", "-n", "2", "--json"], { cwd: dir });
    // one document; NDJSON only with -f
    expect(JSON.parse(json.stdout).records.map((r: { seq: number }) => r.seq)).toEqual([5, 6]);
    const bad = await cli(["signals", "tail", "-n", "many"], { cwd: dir });
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([
      64,
      'error: --lines must be a whole number ≥ 0, got "many".',
    ]);
  });

  it("exports CSV whose rows re-hash to their hash column, within a time range", async () => {
    const { dir } = await filled();
    const r = await cli(
      ["signals", "export", "argo", "--format", "csv", "--from", "2025-01-02", "--to", "2025-01-04"],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trim().split("\n");
    expect(header).toBe("seq,time,environment,project,release,config_hash,strategy,kind,payload,prev_hash,hash");
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const m =
        /^(\d+),([^,]+),([^,]+),([^,]+),([^,]*),([^,]*),([^,]*),([^,]+),"(.*)",([0-9a-f]{64}),([0-9a-f]{64})$/.exec(
          row,
        )!;
      const [, seq, time, environment, project, release, configHash, strategy, kind, payload, prevHash, hash] = m;
      const encoding = encodeRecord({
        seq: Number(seq),
        time: time!,
        environment: environment!,
        project: project!,
        release: release!,
        configHash: configHash!,
        strategy: strategy!,
        kind: kind as "signal",
        payload: payload!.replaceAll('""', '"'),
        prevHash: prevHash!,
      });
      const { createHash } = await import("node:crypto");
      expect(createHash("sha256").update(encoding).digest("hex")).toBe(hash);
    }
  });

  it("exports JSON lines to a file; the payload re-canonicalises to the stored text", async () => {
    const { dir, store } = await filled();
    const r = await cli(["signals", "export", "--format", "jsonl", "-o", "out.jsonl"], { cwd: dir });
    expect([r.code, r.stdout.trim()]).toEqual([0, "wrote 7 records to out.jsonl"]);
    const lines = readFileSync(join(dir, "out.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.project}#${l.seq}`)).toEqual([
      "argo#1",
      "argo#2",
      "argo#3",
      "argo#4",
      "argo#5",
      "argo#6",
      "signal-lab#1",
    ]);
    const stored = [];
    for await (const page of store.read({ project: "argo" })) stored.push(...page);
    expect(canonicalJson(lines[0].payload)).toBe(stored[0]!.payload);
    const bad = await cli(["signals", "export", "--from", "yesterday"], { cwd: dir });
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([
      64,
      'error: --from "yesterday" is not a date or a date and time.',
    ]);
    const format = await cli(["signals", "export", "--format", "xml"], { cwd: dir });
    expect(format.code).toBe(64);
  });
});

describe("tradeops signals prune", () => {
  it("dry run, then prune past the development retention (7 days); the rest verifies", async () => {
    const { dir, store } = await desk();
    const now = Date.now();
    await store.append(signals("argo", 4).map((s, i) => ({ ...s, time: new Date(now - (30 - i) * DAY) })));
    await store.append(signals("argo", 2, 4));
    const dry = await cli(["signals", "prune", "--dry-run"], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^development\/argo: would prune 4 records \(1–4, older than \S+\)$/m);
    const pruned = await cli(["signals", "prune", "--json"], { cwd: dir });
    expect(JSON.parse(pruned.stdout)).toMatchObject({
      ok: true,
      retentionDays: 7,
      chains: [{ project: "argo", deleted: 4, throughSeq: 4, checkpointSeq: 7 }],
    });
    const verify = await cli(["signals", "verify", "argo"], { cwd: dir });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("3 records (5–7), pruned through 4 (checkpoint 7)");
    const again = await cli(["signals", "prune"], { cwd: dir });
    expect(again.stdout).toMatch(/^development\/argo: nothing older than \S+ \(retention 7 days\)$/m);
  });

  it("refuses to prune a broken chain (exit 1) and deletes nothing", async () => {
    const { dir, store } = await desk();
    await store.append(signals("argo", 3).map((s) => ({ ...s, time: new Date(Date.now() - 30 * DAY) })));
    tamper(dir, `UPDATE signal_records SET payload = '{}' WHERE seq = 2`);
    const r = await cli(["signals", "prune"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      "error: Refusing to prune: the signal chain development/argo is broken at record 2 (changed).",
    );
    expect((await store.head("argo"))?.seq).toBe(3);
  });
});
