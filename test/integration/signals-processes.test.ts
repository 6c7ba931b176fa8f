/**
 * Real processes against real stores: a writer killed with SIGKILL in the middle of a batch leaves a chain that
 * verifies (the batch is all or nothing); two writers appending to one chain at once never fork it; and
 * `signals tail -f` prints records as another process appends them, until SIGINT.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/context.js";
import { openSignalStore, openSignalStoreAt, type StoreLocation } from "../../src/signals/index.js";
import { copyWorkspace } from "../helpers/cli.js";
import { BACKENDS, freshBackend, signals, type TestBackend } from "../signals/backends.js";

/** jiti runs the TypeScript sources in a child process (package export `jiti/register`) */
const JITI = join(import.meta.dirname, "../../node_modules/jiti/lib/jiti-register.mjs");
const WRITER = join(import.meta.dirname, "../signals/writer-process.ts");
const CLI = join(import.meta.dirname, "../signals/cli-process.ts");
/** how long a child may take to print what a test waits for (jiti compiles on first run) */
const CHILD_DEADLINE_MS = 60_000;

const children: ChildProcess[] = [];
let backend: TestBackend | undefined;
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await backend?.close();
  backend = undefined;
});

interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** when each line arrived (performance.now()) */
  readonly times: number[];
  /** resolves with the first line matching, rejects at the deadline or if the child exits first */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(script: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ["--import", JITI, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  const lines: string[] = [];
  const times: number[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let stderr = "";
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      times.push(performance.now());
      for (const w of waiters.splice(0)) w.pattern.test(line) ? w.resolve(line) : waiters.push(w);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    lines,
    times,
    exited,
    waitFor(pattern) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern} in time; stderr: ${stderr}`)),
          CHILD_DEADLINE_MS,
        );
        void exited.then(({ code, signal }) =>
          reject(new Error(`the child exited (${code ?? signal}) before printing ${pattern}; stderr: ${stderr}`)),
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

function writer(
  location: StoreLocation,
  options: { writer: string; batch: number; batches: number; waitForGo?: boolean },
): Child {
  const settings = { location, project: "argo", ...options };
  return start(WRITER, [], { TRO_WRITER: JSON.stringify(settings) });
}

describe.each(BACKENDS)("signal writers as real processes on %s", (name) => {
  it("a writer killed with SIGKILL in the middle of a batch leaves a chain that verifies", async () => {
    backend = await freshBackend(name);
    const batch = name === "sqlite" ? 50_000 : 20_000;
    const w = writer(backend.location, { writer: "w1", batch, batches: 0 });
    await w.waitFor(/^committed 2 /);
    await w.waitFor(/^begin 3$/);
    w.process.kill("SIGKILL");
    expect((await w.exited).signal).toBe("SIGKILL");
    const committed = w.lines.filter((l) => l.startsWith("committed")).length;

    const store = await openSignalStoreAt(backend.location, { environment: "production" });
    const head = await store.head("argo");
    expect(head!.seq % batch).toBe(0); // all of a batch or none of it
    expect([committed * batch, (committed + 1) * batch]).toContain(head!.seq);
    const report = await store.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ records: head!.seq, problems: 0 });
    // the chain goes on after the crash
    await store.append(signals("argo", 3));
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("two processes appending to one chain at once never fork it", async () => {
    backend = await freshBackend(name);
    const options = { batch: 100, batches: 100, waitForGo: true };
    const a = writer(backend.location, { writer: "a", ...options });
    const b = writer(backend.location, { writer: "b", ...options });
    await Promise.all([a.waitFor(/^ready$/), b.waitFor(/^ready$/)]);
    a.process.stdin!.end("go\n");
    b.process.stdin!.end("go\n");
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code]).toEqual([0, 0]);
    // they were writing at the same time: each began before the other finished
    const at = (c: Child, pattern: RegExp, last = false) =>
      c.times[last ? c.lines.findLastIndex((l) => pattern.test(l)) : c.lines.findIndex((l) => pattern.test(l))]!;
    expect(at(a, /^begin 1$/)).toBeLessThan(at(b, /^committed/, true));
    expect(at(b, /^begin 1$/)).toBeLessThan(at(a, /^committed/, true));

    const store = await openSignalStoreAt(backend.location, { environment: "production" });
    const report = await store.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ records: 2 * 100 * 100, firstSeq: 1, lastSeq: 20_000 });
    const writers = new Set<string>();
    for await (const page of store.read({ project: "argo" })) for (const r of page) writers.add(r.strategy);
    expect([...writers].sort()).toEqual(["a", "b"]);
    await store.close();
  });
});

describe("tradeops signals tail -f", () => {
  it("prints records another process appends, and stops cleanly on SIGINT", async () => {
    const dir = copyWorkspace();
    const { workspace } = openWorkspace({ cwd: dir, env: {} });
    const store = await openSignalStore({ workspace, environment: "development", env: {} });
    try {
      await store.append(signals("argo", 2));
      const tail = start(CLI, ["--workspace", dir, "signals", "tail", "argo", "-f"], { NO_COLOR: "1" });
      await tail.waitFor(/ {2}argo {2}#2 {2}signal /);
      await store.append(signals("argo", 2, 2));
      await tail.waitFor(/ {2}argo {2}#4 {2}signal /);
      tail.process.kill("SIGINT");
      expect(await tail.exited).toEqual({ code: 0, signal: null });
      expect(tail.lines.map((l) => /#(\d+)/.exec(l)?.[1])).toEqual(["1", "2", "3", "4"]);
    } finally {
      await store.close();
    }
  });
});
