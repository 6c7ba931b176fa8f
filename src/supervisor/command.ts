/**
 * Commands as data (STYLE 3): the argv that runs a project's start command. Any language: the manifest's
 * command is a shell line; a simple one is `exec`'d so that the pid we watch is the service itself.
 */

/** lists, pipes, subshells and background jobs: `exec` would drop the rest */
const COMPOUND = /[;&|()\n]/;
/** words `exec` cannot run: keywords, builtins, `NAME=value` prefixes */
const NOT_EXECUTABLE = /^(!|\{|if|for|while|until|case|cd|export|set|source|\.|exec|[A-Za-z_][A-Za-z0-9_]*=\S*)$/;

/** `node server.mjs` → `["sh", "-c", "exec node server.mjs"]`; `a && b` keeps its shell. */
export function buildStartArgv(command: string): string[] {
  const trimmed = command.trim();
  const first = trimmed.split(/\s+/)[0] ?? "";
  const simple = !COMPOUND.test(trimmed) && !NOT_EXECUTABLE.test(first);
  return ["sh", "-c", simple ? `exec ${trimmed}` : trimmed];
}

/** The variables tradeops adds to a service's environment, after config and secrets (they win). */
export function instanceVariables(options: {
  readonly name: string;
  readonly stateDir: string;
  readonly port?: number;
  readonly color?: string;
  readonly release?: string;
  readonly orders: boolean;
}): Record<string, string> {
  return {
    ...(options.port !== undefined ? { PORT: String(options.port) } : {}),
    TRADEOPS_COLOR: options.color ?? "",
    TRADEOPS_RELEASE: options.release ?? "",
    TRADEOPS_ORDERS: options.orders ? "on" : "off",
    TRADEOPS_INSTANCE: options.name,
    // the marker a restarted supervisor looks for before it could start a second copy
    [SUPERVISOR_MARKER]: supervisorMarker(options.stateDir, options.name),
  };
}

export const SUPERVISOR_MARKER = "TRADEOPS_SUPERVISOR_ID";

/** `<state dir>#<instance>`: unique per supervisor and instance. */
export function supervisorMarker(stateDir: string, name: string): string {
  return `${stateDir}#${name}`;
}
