/**
 * Executable docs: every `$ tradeops …` line in README.md and docs/*.md runs, in order, against a fresh copy of
 * the example desk (one per page, a git repository as a user's would be), and must exit as the page says: the
 * code printed by the `$ echo $?` that follows it, else 0. Markers on the lines just before a block say what
 * it needs: `<!-- example: setup: SHELL -->` runs SHELL in the workspace first (the change the page describes),
 * `<!-- example: workspace NAME -->` uses test/fixtures/docs/NAME instead of the desk, and
 * `<!-- example: not run: REASON -->` says why a block cannot run here (a production host, a broker account).
 * Services (`serve`, `up`, `-f`) run for a while, then get SIGTERM and must stop cleanly.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyWorkspace, tradeopsOnPath } from "../helpers/cli.js";
import { killTargetProcesses } from "../helpers/deploy-desk.js";

const ROOT = join(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures/docs");
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

interface Example {
  readonly line: number;
  readonly command: string;
  readonly exit: number;
}

interface Block {
  readonly line: number;
  readonly markers: string[];
  readonly examples: Example[];
}

/** The console blocks of a page and the tradeops commands in them, with the exit code each must give. */
function parsePage(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```console") continue;
    const markers: string[] = [];
    for (let previous = i - 1; previous >= 0; previous--) {
      const text = lines[previous]!.trim();
      if (!text) continue;
      const marker = /^<!-- example: (.+?) -->$/.exec(text)?.[1];
      if (!marker) break;
      markers.unshift(marker);
    }
    const start = i;
    const body: { line: number; text: string }[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== "```"; i++) body.push({ line: i + 1, text: lines[i]! });
    const examples: Example[] = [];
    body.forEach((entry, k) => {
      if (!entry.text.startsWith("$ ")) return;
      const command = entry.text.slice(2);
      if (!/(^|\s)tradeops(\s|$)/.test(command.replace(/#.*$/, ""))) return;
      const next = body.slice(k + 1).find((e) => e.text.startsWith("$ "));
      const echoed = next?.text === "$ echo $?" ? body[body.indexOf(next) + 1]?.text.trim() : undefined;
      examples.push({ line: entry.line, command, exit: echoed === undefined ? 0 : Number(echoed) });
    });
    blocks.push({ line: start + 1, markers, examples });
  }
  return blocks;
}

const binRoot = mkdtempSync(join(tmpdir(), "tradeops-docs-bin-"));
const pathWithCli = tradeopsOnPath(binRoot, process.env.PATH);
afterAll(() => rmSync(binRoot, { recursive: true, force: true }));

/** A workspace for a page: the desk (or a fixture) copied, under git as a user's checkout is. */
function workspaceFor(name: string | undefined): string {
  const dir = name ? mkdtempSync(join(tmpdir(), "tradeops-docs-ws-")) : copyWorkspace();
  if (name) cpSync(join(FIXTURES, name), dir, { recursive: true });
  const git = (...args: string[]) => spawnSync("git", args, { cwd: dir, env: gitEnv(dir) });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "the workspace");
  return dir;
}

function gitEnv(home: string): Record<string, string> {
  return {
    PATH: pathWithCli,
    HOME: home,
    GIT_AUTHOR_NAME: "docs",
    GIT_AUTHOR_EMAIL: "docs@example.com",
    GIT_COMMITTER_NAME: "docs",
    GIT_COMMITTER_EMAIL: "docs@example.com",
    USER: "docs",
  };
}

/** how long a service runs before it is asked to stop */
const SERVICE_WINDOW_S = 8;
const isService = (command: string) => /\btradeops (serve|up)\b|\s(-f|--follow)\b/.test(command);

function run(command: string, cwd: string): { code: number; output: string } {
  // a service runs until it is stopped: SIGTERM after the window, and it must stop cleanly
  const line = isService(command)
    ? `set -o pipefail; ${command} & pid=$!; for i in $(seq ${SERVICE_WINDOW_S * 10}); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done; kill -TERM $pid 2>/dev/null; wait $pid`
    : `set -o pipefail; ${command}`;
  const result = spawnSync("bash", ["-c", line], {
    cwd,
    env: { ...gitEnv(cwd), TRADEOPS_DEPLOYER: "docs@example.com", NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { code: result.status ?? 128, output: `${result.stdout}${result.stderr}`.slice(-3000) };
}

describe("every documented command runs as its page says", () => {
  for (const page of PAGES) {
    const blocks = parsePage(readFileSync(join(ROOT, page), "utf8")).filter((b) => b.examples.length);
    if (!blocks.length) continue;
    it(page, { timeout: 600_000 }, () => {
      const workspaces = new Map<string, string>();
      const failures: string[] = [];
      try {
        for (const block of blocks) {
          const notRun = block.markers.find((m) => m.startsWith("not run: "));
          if (notRun) {
            expect(notRun.length, `${page}:${block.line} says why it is not run`).toBeGreaterThan(20);
            continue;
          }
          const fixture = block.markers.map((m) => /^workspace (\S+)$/.exec(m)?.[1]).find(Boolean);
          const setups = block.markers.filter((m) => m.startsWith("setup: ")).map((m) => m.slice(7));
          const unknown = block.markers.filter((m) => !m.startsWith("setup: ") && !/^workspace \S+$/.test(m));
          expect(unknown, `${page}:${block.line}: unknown markers`).toEqual([]);
          if (fixture) expect(existsSync(join(FIXTURES, fixture)), `fixture ${fixture}`).toBe(true);
          const key = fixture ?? "";
          if (!workspaces.has(key)) workspaces.set(key, workspaceFor(fixture));
          const cwd = workspaces.get(key)!;
          for (const setup of setups) {
            const done = run(setup, cwd);
            expect(done.code, `${page}:${block.line}: setup ${setup}\n${done.output}`).toBe(0);
          }
          for (const example of block.examples) {
            const { code, output } = run(example.command, cwd);
            if (code !== example.exit)
              failures.push(
                `${page}:${example.line}: $ ${example.command}\n  exit ${code}, the page says ${example.exit}\n${output}`,
              );
          }
        }
        expect(failures.join("\n\n")).toBe("");
      } finally {
        for (const dir of workspaces.values()) {
          spawnSync("bash", ["-c", "tradeops stop all >/dev/null 2>&1; tradeops supervisor stop >/dev/null 2>&1"], {
            cwd: dir,
            env: gitEnv(dir),
          });
          // what a page deployed to a local target (releases, their supervisors, the front proxy) runs detached
          const targets = join(dir, ".tradeops/targets");
          if (existsSync(targets))
            for (const env of readdirSync(targets))
              for (const project of readdirSync(join(targets, env))) killTargetProcesses(join(targets, env, project));
          rmSync(dir, { recursive: true, force: true });
        }
      }
    });
  }
});
