/**
 * Why: `tradeops serve PROJECT` should answer liveness about as soon as a bare node server would. Before the full CLI
 * (commander, the command tree, the logger) loads, the hot path reads the manifest snapshot and binds the project's
 * port with a plain HTTP listener that answers level 1; the node takes it over (src/node/early-listener.ts). Only an
 * argv it understands exactly is pre-bound; anything else, or any failure, leaves everything to the full CLI, which
 * reports errors as usual (the listener never keeps the process alive on its own).
 */
import { STANDBY_VARIABLE } from "../supervisor/standby-protocol.js";
import type { CliIO } from "./io.js";
import { enableSnapshots } from "./snapshots.js";

const GLOBAL_VALUES: Readonly<Record<string, "workspace" | "env">> = {
  "-w": "workspace",
  "--workspace": "workspace",
  "-e": "env",
  "--env": "env",
};
const GLOBAL_SWITCHES = new Set(["--json", "-q", "--quiet", "-v", "--verbose", "--no-color"]);
const SERVE_VALUES: Readonly<Record<string, "mode" | "port" | "data" | "speed">> = {
  "--mode": "mode",
  "--port": "port",
  "--data": "data",
  "--speed": "speed",
};

export interface ServeArgv {
  readonly project: string;
  readonly workspace?: string;
  readonly env?: string;
  readonly mode?: string;
  readonly port?: string;
}

/** `[globals] serve PROJECT [serve flags]` exactly, or undefined. */
export function parseServeArgv(argv: readonly string[]): ServeArgv | undefined {
  const values: Record<string, string> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = GLOBAL_VALUES[flag] ?? (words[0] === "serve" ? SERVE_VALUES[flag] : undefined);
    if (key) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || value.startsWith("-") || key in values) return undefined;
      values[key] = value;
    } else if (GLOBAL_SWITCHES.has(arg)) continue;
    else if (arg.startsWith("-")) return undefined;
    else words.push(arg);
  }
  if (words.length !== 2 || words[0] !== "serve") return undefined;
  return { project: words[1]!, ...values };
}

/** Binds the port of `tradeops serve PROJECT` and hands it to the node; does nothing when in any doubt. */
export async function preBindServe(argv: readonly string[], io: CliIO, version: string): Promise<void> {
  const serve = parseServeArgv(argv);
  // a warm spare binds nothing until the supervisor tells it to take over (src/node/standby.ts)
  if (!serve || io.env[STANDBY_VARIABLE] === "1") return;
  try {
    enableSnapshots(io.env, version);
    const { openWorkspace } = await import("../context.js");
    const ctx = openWorkspace({
      cwd: io.cwd,
      workspace: serve.workspace,
      envFlag: serve.env,
      env: io.env,
      hostname: io.hostname,
    });
    const { projects } = ctx.workspace;
    const project = Object.hasOwn(projects, serve.project) ? projects[serve.project] : undefined;
    if (project?.kind !== "strategy") return;
    // as `serve` decides it: --port, else PORT, else the project's port
    const text = serve.port ?? (io.env.PORT || undefined);
    const port = text === undefined ? (project.port ?? 0) : Number(text);
    if (!(Number.isInteger(port) && port >= 0 && port < 65_536)) return;
    const { bindEarly, earlyMode, handEarly, NODE_BIND_HOST } = await import("../node/early-listener.js");
    const listener = await bindEarly({
      service: project.name,
      executionMode: earlyMode(ctx.workspace.settings, ctx.environment, serve.mode),
      host: NODE_BIND_HOST,
      port,
      paths: { level1: project.health.path, level2: project.health.detailedPath },
    });
    handEarly(listener);
  } catch {
    // the full CLI does it again and reports what went wrong
  }
}
