/**
 * Command builders for long-lived processes on a target (commands are data): start one detached in its own session
 * (so it outlives the deploy that started it, and its whole group can be signalled), check it, stop it gracefully
 * then forcibly. The same argv runs on this machine and over SSH.
 */
import { sh } from "../exec/command.js";

/**
 * `LOG ENVFILE DIR [K=V…] -- ARGV…`: starts ARGV in DIR, in a new session, output appended to LOG, after sourcing
 * ENVFILE (when not empty) and exporting the K=V pairs; prints the pid (which is also the process group id). The log
 * (and a directory created for it) is private to the target's user: 0600 / 0700.
 */
const DETACH = [
  'log=$1; envf=$2; dir=$3; shift 3; (umask 077; mkdir -p "$(dirname "$log")" && : >>"$log" && chmod 600 "$log") || exit 2',
  'vars=""; while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do vars="$vars $1"; shift; done; shift',
  '( cd "$dir" || exit 66; set -a; if [ -n "$envf" ]; then . "$envf"; fi; for kv in $vars; do export "$kv"; done; set +a; exec setsid "$@" ) </dev/null >>"$log" 2>&1 &',
  "echo $!",
].join("\n");

/** Starts a detached process; its stdout is the pid. Variable values must not contain spaces (ports, names, ids). */
export function detachCommand(options: {
  readonly log: string;
  readonly envFile?: string;
  readonly dir: string;
  readonly vars?: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
}): string[] {
  const vars = Object.entries(options.vars ?? {}).map(([k, v]) => `${k}=${v}`);
  return sh(DETACH, options.log, options.envFile ?? "", options.dir, ...vars, "--", ...options.argv);
}

/**
 * A shell function: whether a pid runs. A zombie does not count — where PID 1 does not reap orphans (containers,
 * micro-VMs), a dead detached process stays a zombie and `kill -0` alone would call it alive.
 */
const ALIVE = [
  "alive() {",
  '  if [ -r "/proc/$1/stat" ]; then',
  '    IFS= read -r st < "/proc/$1/stat" 2>/dev/null || return 1',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '    st=${st##*) }; st=${st%% *}; [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; return',
  "  fi",
  '  kill -0 "$1" 2>/dev/null',
  "}",
].join("\n");

/** Exit 0 when the process still runs. */
export function aliveCommand(pid: number): string[] {
  return sh(`${ALIVE}\nalive "$1"`, String(pid));
}

/**
 * `PID GRACE_SECONDS`: SIGTERM to the process group, wait up to the grace for the leader to exit, then SIGKILL the
 * group. Exit 0 once it is gone (or was already).
 */
const STOP = [
  ALIVE,
  'pid=$1; grace=$2; alive "$pid" || exit 0',
  'kill -TERM -"$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null',
  'i=0; while alive "$pid"; do',
  '  [ "$i" -ge $((grace * 20)) ] && { kill -KILL -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; sleep 0.1; break; }',
  "  sleep 0.05; i=$((i + 1))",
  "done",
  'alive "$pid" && exit 1; exit 0',
].join("\n");

/** Stops a detached process group gracefully, then forcibly after the grace. */
export function stopCommand(pid: number, graceSeconds: number): string[] {
  return sh(STOP, String(pid), String(Math.max(0, Math.ceil(graceSeconds))));
}

/** The last lines of a log file (for failure reasons). */
export function tailCommand(file: string, lines = 20): string[] {
  return sh('[ -f "$1" ] && tail -n "$2" "$1" || true', file, String(lines));
}
