import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { onTestFinished } from "vitest";
import { runCli } from "../../src/cli/main.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly hostname?: string;
}

/** Runs the CLI in-process with captured output; the environment is only what the test gives. */
export async function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    hostname: () => options.hostname ?? "test-host",
  });
  return { code, stdout, stderr };
}

export const DESK = join(import.meta.dirname, "../../examples/desk");

/** A private copy of a directory (the example desk by default) that a test may change; removed after the test. */
export function copyWorkspace(source = DESK): string {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-ws-"));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // called outside a test (a describe body): the directory stays
  }
  // state that runs of the example leave behind (.tradeops/, data/) is not part of the workspace
  cpSync(source, dir, { recursive: true, filter: (path) => !/[\\/](\.tradeops|data|node_modules)$/.test(path) });
  return dir;
}

/** Every file below a directory with its size and mtime: to prove a failed command changed nothing. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${relative(dir, p)} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Puts this checkout's CLI on PATH as `tradeops` (what a deployed release or a hook calls): writes `DIR/.bin/tradeops`
 * and returns PATH with it first.
 */
export function tradeopsOnPath(dir: string, path: string | undefined): string {
  const bin = join(dir, ".bin");
  mkdirSync(bin, { recursive: true });
  const file = join(bin, "tradeops");
  writeFileSync(
    file,
    `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, "../../bin/tradeops.js")}" "$@"\n`,
  );
  chmodSync(file, 0o755);
  return `${bin}:${path ?? ""}`;
}
