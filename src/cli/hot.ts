/**
 * Why: the commands run most often from scripts and prompts (`tradeops env`) start without commander and the whole
 * command tree. A small exact parser takes the global flags and one command name; anything else — help, another
 * command, an unknown flag, an error of any kind — goes to the full CLI, which then runs the command itself. Only
 * commands with no options or arguments of their own belong here.
 */
import type { CliIO, GlobalOptions } from "./io.js";
import type { Handler } from "./program.js";
import { enableSnapshots } from "./snapshots.js";

const HOT: Readonly<Record<string, () => Promise<Handler>>> = {
  env: async () => (await import("./commands/env.js")).envCommand,
};

const VALUE_FLAGS: Readonly<Record<string, "workspace" | "env">> = {
  "-w": "workspace",
  "--workspace": "workspace",
  "-e": "env",
  "--env": "env",
};
const SWITCHES: Readonly<Record<string, "json" | "quiet" | "verbose">> = {
  "--json": "json",
  "-q": "quiet",
  "--quiet": "quiet",
  "-v": "verbose",
  "--verbose": "verbose",
};

/** The command and global options when argv is one hot command with known global flags only. */
export function parseHot(argv: readonly string[]): { name: string; globals: GlobalOptions } | undefined {
  const values: { workspace?: string; env?: string } = {};
  const switches = { json: false, quiet: false, verbose: false };
  let color = true;
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), true] : [arg, false];
    const key = VALUE_FLAGS[flag];
    if (key) {
      if (key in values || (inline && !flag.startsWith("--"))) return undefined;
      const value = inline ? arg.slice(flag.length + 1) : argv[++i];
      if (value === undefined || value === "" || value.startsWith("-")) return undefined;
      values[key] = value;
    } else if (!inline && SWITCHES[arg]) switches[SWITCHES[arg]] = true;
    else if (arg === "--no-color") color = false;
    else if (!arg.startsWith("-") && name === undefined && HOT[arg]) name = arg;
    else return undefined;
  }
  return name === undefined ? undefined : { name, globals: { ...values, ...switches, color } };
}

/** A stream that keeps what is written until the command has succeeded. */
function held(real: CliIO["stdout"]) {
  const parts: string[] = [];
  return { parts, stream: { write: (text: string) => parts.push(text), isTTY: real.isTTY } };
}

/**
 * Runs a hot command; undefined when argv is not one, or when it failed (nothing has been printed then, and the
 * full CLI runs it again to report the failure as every command does).
 */
export async function runHot(argv: readonly string[], io: CliIO, version: string): Promise<number | undefined> {
  const hot = parseHot(argv);
  if (!hot) return undefined;
  enableSnapshots(io.env, version);
  const stdout = held(io.stdout);
  const stderr = held(io.stderr);
  const heldIo: CliIO = { ...io, stdout: stdout.stream, stderr: stderr.stream };
  try {
    const [{ Output }, handler] = await Promise.all([import("./io.js"), HOT[hot.name]!()]);
    const out = new Output(heldIo, hot.globals);
    const code = (await handler({ io: heldIo, out, globals: hot.globals, args: [], opts: {} })) ?? 0;
    for (const text of stderr.parts) io.stderr.write(text);
    for (const text of stdout.parts) io.stdout.write(text);
    return code;
  } catch {
    return undefined;
  }
}

declare const __TRADEOPS_VERSION__: string | undefined;

/** The process entry's first try (bin/tradeops.js): true when a hot command ran and set the exit code. */
export async function hotMain(): Promise<boolean> {
  const argv = process.argv.slice(2);
  const serve = argv.includes("serve");
  if (!parseHot(argv) && !serve) return false;
  const { hostname } = await import("node:os");
  const version = typeof __TRADEOPS_VERSION__ === "string" ? __TRADEOPS_VERSION__ : "0.0.0-dev";
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), hostname };
  // `serve` binds its port before the full CLI loads (liveness answers meanwhile); the full CLI runs it
  if (serve) {
    await (await import("./hot-serve.js")).preBindServe(argv, io, version);
    return false;
  }
  const code = await runHot(argv, io, version);
  if (code === undefined) return false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  process.exitCode = code;
  return true;
}
