/** A deploy in a child process that a test can kill at a chosen moment (a line of its plain output). */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const JITI = pathToFileURL(join(import.meta.dirname, "../../node_modules/jiti/lib/jiti-register.mjs")).href;
const CHILD = join(import.meta.dirname, "cli-child.mjs");

export interface ChildRun {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** resolves with the first line matching, or rejects when the process ends or the deadline passes first */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL, then the exit */
  kill(): Promise<void>;
}

export function spawnCli(args: readonly string[], options: { cwd: string; env: Record<string, string> }): ChildRun {
  const child = spawn(process.execPath, ["--import", JITI, CHILD, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const l of listeners) l(line);
    });
  }
  const exited = once(child, "exit");
  return {
    child,
    lines,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => pattern.test(l));
        if (found) return resolve(found);
        const timer = setTimeout(
          () => done(new Error(`no line like ${pattern} within ${timeoutMs} ms:\n${lines.join("\n")}`)),
          timeoutMs,
        );
        const listener = (line: string) => pattern.test(line) && done(undefined, line);
        const onExit = () => done(new Error(`the deploy ended before a line like ${pattern}:\n${lines.join("\n")}`));
        function done(error?: Error, line?: string) {
          clearTimeout(timer);
          listeners.delete(listener);
          child.off("exit", onExit);
          if (error) reject(error);
          else resolve(line!);
        }
        listeners.add(listener);
        child.once("exit", onExit);
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
