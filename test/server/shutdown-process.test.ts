/** A real process and a real SIGTERM: readiness fails, liveness answers until the end, then a clean exit. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const CHILD = join(import.meta.dirname, "fixtures/serve-child.ts");
const DEADLINE_MS = 15_000;

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
  child = undefined;
});

/** Resolves with the first stdout event matching `name`, or rejects at the deadline. */
function nextEvent(proc: ChildProcess, name: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`no "${name}" event within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n").slice(0, -1)) {
        const event = JSON.parse(line) as Record<string, unknown>;
        if (event.event === name) {
          clearTimeout(timer);
          proc.stdout!.off("data", onData);
          resolve(event);
          return;
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    };
    proc.stdout!.on("data", onData);
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the process did not exit in time")), DEADLINE_MS);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

it("drains on SIGTERM and exits 0 after the drain hooks", async () => {
  child = spawn(process.execPath, ["--import", "jiti/register", CHILD], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const { port } = await nextEvent(child, "listening");
  const base = `http://127.0.0.1:${port}`;
  expect((await fetch(`${base}/readyz`)).status).toBe(200);

  const draining = nextEvent(child, "draining");
  process.kill(child.pid!, "SIGTERM");
  await draining;
  expect((await fetch(`${base}/readyz`)).status).toBe(503);
  expect((await fetch(`${base}/livez`)).status).toBe(200);

  const stopped = nextEvent(child, "stopped");
  const exit = exited(child);
  child.stdin!.write("orders done\n");
  const { report } = (await stopped) as { report: { steps: unknown[] } };
  expect(report.steps).toEqual([
    { name: "finish_orders", ok: true, code: null },
    { name: "flush_signal_log", ok: true, code: null },
  ]);
  expect(await exit).toBe(0);
});
