/**
 * Real processes for supervisor tests: a private build of the CLI (so a background supervisor runs this
 * source, whatever dist/ holds), small workspaces with fast health settings, free ports, deadlines instead
 * of sleeps, and a record of every pid a test started so that it is killed even when the test fails.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { SUPERVISOR_MARKER, supervisorMarker } from "../../src/supervisor/command.js";
import { findProcessesWithEnv, isSameProcess } from "../../src/supervisor/process-info.js";

export const ROOT = join(import.meta.dirname, "../..");
export const SERVICE = join(import.meta.dirname, "fixtures/service.mjs");

let bundle: Promise<string> | undefined;
const MINE = new Set(["up", "start", "stop", "restart", "status", "logs", "generate", "supervisor"]);

/** Bundles src/cli/main.ts into node_modules/.cache (so packages resolve); returns the script to run. */
export function privateCli(): Promise<string> {
  bundle ??= (async () => {
    const parent = join(ROOT, "node_modules/.cache/tradeops-supervisor-test");
    // builds left by test processes that are gone (a worker killed before its exit hook ran)
    for (const name of existsSync(parent) ? readdirSync(parent) : []) {
      if (!isSameProcess(Number(name.split("-")[0]))) rmSync(join(parent, name), { recursive: true, force: true });
    }
    const dir = join(parent, `${process.pid}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await build({
      entryPoints: { cli: join(ROOT, "src/cli/main.ts") },
      outdir: dir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: ["pino", "pino-pretty", "jiti", "better-sqlite3", "pg", "pg-native", "@aws-sdk/*", "playwright-core"],
      banner: {
        js: "import { createRequire as __trCreateRequire } from 'node:module'; const require = __trCreateRequire(import.meta.url);",
      },
      logLevel: "error",
      // other areas are built at the same time: their command modules (loaded only when their command runs)
      // stay out of this build, so that one being edited cannot break it
      plugins: [
        {
          name: "only-supervisor-commands",
          setup(b) {
            b.onResolve({ filter: /commands\/[\w-]+\.js$/ }, (args) => {
              const name = /([\w-]+)\.js$/.exec(args.path)![1]!;
              return MINE.has(name) ? undefined : { path: args.path, external: true };
            });
            b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
              const target = join(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
              return existsSync(target) || existsSync(join(args.resolveDir, args.path))
                ? undefined
                : { path: args.path, external: true };
            });
          },
        },
      ],
    });
    writeFileSync(join(dir, "tradeops.mjs"), 'import { main } from "./cli.js";\nawait main();\n');
    return join(dir, "tradeops.mjs");
  })();
  return bundle;
}

/** Every pid a test started (services, supervisors); `killAll` ends them and their groups. */
export class Pids {
  readonly #pids = new Set<number>();
  add(...pids: (number | null | undefined)[]): void {
    for (const pid of pids) if (pid) this.#pids.add(pid);
  }
  killAll(): void {
    for (const pid of this.#pids) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    this.#pids.clear();
  }
}

/** Polls `check` until it returns something truthy; fails with `what` at the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Alive and not a zombie (an orphan's exit may never be reaped in a container whose init does not reap). */
export function isAlive(pid: number): boolean {
  return isSameProcess(pid);
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** GET http://127.0.0.1:PORT/PATH → { status, body } (rejects when nothing answers). */
export function httpGet(port: number, path: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

export interface FastHealth {
  intervalSeconds?: number;
  timeoutSeconds?: number;
  failuresBeforeRestart?: number;
  backoffSeconds?: number[];
  maxRestarts?: number;
  warmSpare?: boolean;
}

export interface TestProject {
  readonly start: string;
  readonly port?: number;
  readonly sendsOrders?: boolean;
  readonly health?: FastHealth;
  readonly kind?: string;
  /** more YAML lines inside the project's block, indented by 4 */
  readonly raw?: readonly string[];
}

/** A workspace with the given projects (each in its own directory holding the fixture service). */
export function makeWorkspace(projects: Record<string, TestProject>, extra = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-sv-"));
  const lines = [
    "name: svtest",
    "environments:",
    "  development: { logRetentionDays: 7 }",
    "  production: { logRetentionDays: 30 }",
    "projects:",
  ];
  for (const [name, p] of Object.entries(projects)) {
    mkdirSync(join(dir, name));
    const health = {
      intervalSeconds: 0.2,
      timeoutSeconds: 0.5,
      failuresBeforeRestart: 2,
      backoffSeconds: [0.3, 0.6, 1.2],
      maxRestarts: 3,
      ...p.health,
    };
    lines.push(
      `  ${name}:`,
      `    path: ${name}`,
      `    kind: ${p.kind ?? "service"}`,
      ...(p.sendsOrders !== undefined ? [`    sendsOrders: ${p.sendsOrders}`] : []),
      ...(p.port ? [`    port: ${p.port}`] : []),
      `    commands: { start: ${JSON.stringify(p.start)} }`,
      `    health: ${JSON.stringify(health)}`,
      ...(p.raw ?? []).map((l) => `    ${l}`),
    );
  }
  writeFileSync(join(dir, "tradeops.yaml"), `${lines.join("\n")}\n${extra}`);
  return dir;
}

/** `node SERVICE …flags` as a start command. */
export function serviceCommand(...flags: string[]): string {
  return [process.execPath, SERVICE, ...flags].join(" ");
}

/** Runs the private CLI as a real process. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const entry = await privateCli();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { cwd, env: env as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment a CLI process gets in tests: PATH, a private HOME, the private build for the supervisor. */
export async function cliEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: tmpdir(),
    NO_COLOR: "1",
    TRADEOPS_SUPERVISOR_ENTRY: await privateCli(),
    ...extra,
  };
}

/** The live processes of one instance of one supervisor (by its marker): another test file's "web" never counts. */
export function copiesOf(stateDir: string, name: string): number[] {
  return findProcessesWithEnv(SUPERVISOR_MARKER, supervisorMarker(stateDir, name));
}
