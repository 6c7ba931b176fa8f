/**
 * Import boundaries (STYLE.md): dependencies point one way. cli and server sit on top; nothing below imports
 * them; runtime never imports deploy, cli or server; only cli/ and server/ print or exit.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const area = (file: string) =>
  relative(SRC, file)
    .split("/")[0]!
    .replace(/\.(ts|js)$/, "");

/** What each area may import (besides itself); areas not listed may import only the foundation. */
const FOUNDATION = ["errors", "paths", "validation", "environment", "workspace", "config", "logging"];
const ALLOWED: Record<string, string[]> = {
  errors: [],
  paths: [],
  validation: ["errors"],
  environment: ["errors", "workspace"],
  workspace: ["errors", "validation", "environment"],
  config: ["errors", "validation", "environment", "workspace"],
  logging: ["errors"],
  // exec: the one deadline-bound way to run a command (`exec:` sources)
  secrets: [...FOUNDATION, "exec"],
  accounts: [...FOUNDATION, "secrets", "adapters"],
  context: [...FOUNDATION, "secrets", "accounts"],
  runtime: [...FOUNDATION, "secrets", "accounts", "signals", "health"],
  adapters: [...FOUNDATION, "secrets", "accounts", "runtime"],
  signals: [...FOUNDATION],
  health: [...FOUNDATION, "secrets", "accounts", "signals"],
  exec: [...FOUNDATION],
  notify: [...FOUNDATION],
  supervisor: [...FOUNDATION, "secrets", "exec", "health", "signals"],
  deploy: [...FOUNDATION, "secrets", "accounts", "exec", "health", "supervisor", "signals", "notify"],
  adopt: [...FOUNDATION, "secrets", "deploy", "exec"],
  generate: [...FOUNDATION, "secrets", "health"],
  // the composition root of a running strategy: it builds the host (server) over runtime, adapters and health,
  // and finds instances through the supervisor's state and the deploy's release records
  node: [
    ...FOUNDATION,
    "secrets",
    "accounts",
    "signals",
    "health",
    "runtime",
    "adapters",
    "server",
    "supervisor",
    "deploy",
    "exec",
    "notify",
  ],
  server: ["*"],
  cli: ["*"],
  index: ["*"],
  // the strategy API alone, for strategy modules (src/runtime/strategy-imports.ts)
  sdk: ["errors", "runtime"],
};

it("imports point one way", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = area(file);
    const allowed = ALLOWED[from];
    expect(allowed, `src/${from} has no boundary rule in test/architecture.test.ts`).toBeDefined();
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const to = area(resolve(dirname(file), match[1]!));
      if (to === from || allowed!.includes("*") || allowed!.includes(to)) continue;
      violations.push(`${relative(SRC, file)} imports ${to}`);
    }
  }
  expect(violations).toEqual([]);
});

it("only cli/ and server/ print or exit", () => {
  const offenders: string[] = [];
  for (const file of files(SRC)) {
    if (["cli", "server"].includes(area(file))) continue;
    const text = readFileSync(file, "utf8");
    if (/process\.exit\(|console\.(log|error|warn|info)\(|process\.(stdout|stderr)\.write\(/.test(text)) {
      offenders.push(relative(SRC, file));
    }
  }
  expect(offenders).toEqual([]);
});
