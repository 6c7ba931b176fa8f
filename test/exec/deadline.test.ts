/**
 * The deadline of every external command holds: at the deadline the whole process group goes (SIGTERM, then
 * SIGKILL), and a process left behind holding the output pipe cannot keep the caller waiting. Through the CLI, an
 * `exec:` secret source that sleeps is cut off at its deadline and says so; one that leaves a child on the pipe ends
 * at once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runLocal } from "../../src/exec/local.js";
import { EXEC_TIMEOUT_MS } from "../../src/secrets/providers/local.js";
import { cli } from "../helpers/cli.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** true while a pid runs (a zombie does not count: where nobody reaps orphans, they stay zombies) */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  const state = readFileSync(stat, "utf8").replace(/^.*\) /s, "")[0];
  return state !== "Z" && state !== "X";
}

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

it("kills the whole group at the deadline, grandchildren included", async () => {
  const result = await runLocal(
    { argv: ["sh", "-c", "sleep 60 & echo $!; sleep 60"], timeoutMs: 300 },
    { baseEnv: env },
  );
  expect(result.code).toBe(124);
  expect(result.timedOutAfterMs).toBe(300);
  expect(result.durationMs).toBeLessThan(3_000);
  expect(result.stderr).toContain("sh timed out after 0.3 s");
  const grandchild = Number(result.stdout.trim());
  expect(grandchild).toBeGreaterThan(1);
  for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
  expect(alive(grandchild)).toBe(false);
});

it("forces a group that ignores SIGTERM", async () => {
  const result = await runLocal({ argv: ["sh", "-c", "trap '' TERM; sleep 60"], timeoutMs: 200 }, { baseEnv: env });
  expect(result.code).toBe(124);
  expect(result.durationMs).toBeLessThan(4_000);
});

it("does not wait for a process that exited but left a child holding the pipe", async () => {
  const result = await runLocal({ argv: ["sh", "-c", "echo hi; sleep 60 &"], timeoutMs: 30_000 }, { baseEnv: env });
  expect(result).toMatchObject({ code: 0, stdout: "hi\n" });
  expect(result.durationMs).toBeLessThan(3_000);
});

function workspace(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-deadline-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "tradeops.yaml"),
    `name: deadline\nprojects:\n  bot:\n    path: .\n    secrets:\n      API_TOKEN:\n        development: ["${source}"]\n`,
  );
  return dir;
}

it("an exec: source that sleeps is cut off at its deadline, naming it", async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await cli(["secrets", "check"], { cwd: workspace("exec:sleep 60"), env });
  const took = Date.now() - started;
  expect(code).toBe(69);
  expect(stdout + stderr).toContain(`exec:sleep 60 failed: command timed out after ${EXEC_TIMEOUT_MS / 1000} s`);
  expect(took).toBeLessThan(EXEC_TIMEOUT_MS + 5_000);
}, 30_000);

it("an exec: source that leaves a child on the pipe answers at once", async () => {
  const started = Date.now();
  const { code, stdout } = await cli(["secrets", "check", "--json"], {
    cwd: workspace("exec:(sleep 30 &); printf %s token-value-123"),
    env,
  });
  expect(code, stdout).toBe(0);
  expect(Date.now() - started).toBeLessThan(5_000);
});
