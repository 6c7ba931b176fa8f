/**
 * A child's output held until it ends, then passed on scrubbed: for output another program collects anyway (a
 * deploy's install on a `secrets: host` target), where only this process knows the secrets and one may span chunks.
 */
import type { ChildProcess } from "node:child_process";

export interface OutputSinks {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Collects a child's piped stdout and stderr; `flush()` writes each, scrubbed, to its sink (once both closed). */
export function holdOutput(child: ChildProcess, scrub: (text: string) => string, sinks: OutputSinks): () => void {
  const held = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  child.stdout?.on("data", (chunk: Buffer) => held.stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => held.stderr.push(chunk));
  return () => {
    for (const name of ["stdout", "stderr"] as const) {
      const text = Buffer.concat(held[name].splice(0)).toString("utf8");
      if (text) sinks[name].write(scrub(text));
    }
  };
}
