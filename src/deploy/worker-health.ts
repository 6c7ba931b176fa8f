/**
 * A worker's health on its target, judged the way the supervisor judges it locally (the manifest chooses): its
 * heartbeat file's age, its check command's exit, or — with neither — its process staying alive. Run through the
 * target's executor, so an SSH host is judged on the host itself.
 */
import { posix } from "node:path";
import { sh } from "../exec/command.js";
import type { ProbeCheck, ProbeResult } from "../health/probe.js";
import { releaseShell } from "./host-secrets.js";
import { logSnippet } from "./runner.js";
import type { TargetSession } from "./session.js";
import type { Color } from "./types.js";

/** A worker with neither heartbeat nor command counts as started once its process stayed up this long. */
export const WORKER_SETTLE_MS = 2_000;
/** How often a starting worker is checked. */
export const WORKER_PROBE_INTERVAL_MS = 200;

// the target's clock in seconds, with milliseconds where date knows %N (GNU)
const NOW = 'n=$(date +%s.%3N); case "$n" in *N*) n=$(date +%s);; esac; echo "$n"';
// $1 the file: prints "<now> <mtime>" in seconds (GNU or BSD stat), nothing when the file is missing
const HEARTBEAT = `if [ -e "$1" ]; then m=$(stat -c %.3Y "$1" 2>/dev/null || stat -c %Y "$1" 2>/dev/null || stat -f %m "$1"); ${NOW.replace('echo "$n"', 'echo "$n $m"')}; fi`;

const check = (name: string, ok: boolean, code: string | null): ProbeCheck => ({
  name,
  level: 1,
  status: ok ? "healthy" : "unhealthy",
  error_code: ok ? null : code,
});

function result(session: TargetSession, color: Color, checks: ProbeCheck[]): ProbeResult {
  const passing = checks.filter((c) => c.status === "healthy").length;
  return {
    project: session.project.name,
    url: `${session.host}:${session.project.name}@${color}`,
    level: 1,
    status: passing === checks.length ? "healthy" : "unhealthy",
    passing,
    total: checks.length,
    checks,
  };
}

/** The target's clock, in seconds: a heartbeat counts for a new release only when touched at or after this. */
export async function targetNow(session: TargetSession): Promise<number> {
  return Number((await session.executor.run({ argv: sh(NOW) })).stdout.trim()) || 0;
}

/**
 * Probes the worker running in a colour: its process, then its heartbeat (younger than the limit, and touched at or
 * after `since` when given) or its command (exit 0 within the timeout).
 */
export async function probeWorkerOn(session: TargetSession, color: Color, since?: number): Promise<ProbeResult> {
  const { project, executor, layout } = session;
  const info = await session.runner.running(color);
  if (!info) return result(session, color, [check("process", false, "not_running")]);
  const checks = [check("process", true, null)];
  const dir = layout.workdir(info.release, project.path);
  const health = project.health;
  if (health.heartbeatFile) {
    const out = (await executor.run({ argv: sh(HEARTBEAT, posix.join(dir, health.heartbeatFile)) })).stdout.trim();
    const [now, mtime] = out.split(" ").map(Number) as [number, number];
    const limit = health.heartbeatMaxAgeSeconds ?? health.intervalSeconds * 3;
    // a heartbeat in a persistent path may be touched by the release being replaced: `since` tells them apart
    if (!out) checks.push(check("heartbeat", false, "no_heartbeat"));
    else if (since !== undefined && mtime < since) checks.push(check("heartbeat", false, "not_since_start"));
    else checks.push(check("heartbeat", now - mtime <= limit, "heartbeat_stale"));
  } else if (health.command) {
    const run = await executor.run({
      argv: releaseShell(session, info.release, health.command),
      cwd: dir,
      timeoutMs: health.timeoutSeconds * 1000,
    });
    checks.push(check("command", run.code === 0, run.timedOutAfterMs ? "command_timeout" : "command_failed"));
  }
  return result(session, color, checks);
}

/** Probes the worker of the active colour (what gate 9 and the monitoring window ask). */
export async function probeActiveWorker(session: TargetSession): Promise<ProbeResult> {
  const state = await session.records.readState();
  if (!state.active) return result(session, "blue", [check("process", false, "not_deployed")]);
  return probeWorkerOn(session, state.active);
}

/**
 * Waits until a just-started worker passes its checks (a liveness-only worker: stays alive WORKER_SETTLE_MS);
 * fails early when its process exits.
 */
export async function waitWorkerHealthy(
  session: TargetSession,
  color: Color,
  release: string,
  options: { readonly since: number; readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<{ ok: true; probe: ProbeResult } | { ok: false; reason: string }> {
  const { clock } = session;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  const livenessOnly = !session.project.health.heartbeatFile && !session.project.health.command;
  let last: ProbeResult | undefined;
  for (;;) {
    if (options.signal?.aborted) return { ok: false, reason: "interrupted" };
    last = await probeWorkerOn(session, color, options.since);
    if (last.checks[0]?.error_code === "not_running") {
      const log = logSnippet(await session.runner.logTail(color, 5));
      return { ok: false, reason: `${release} exited during start${log ? ` (its log: ${log})` : ""}` };
    }
    const settled = !livenessOnly || clock.now() - started >= WORKER_SETTLE_MS;
    if (last.passing === last.total && settled) return { ok: true, probe: last };
    if (clock.now() >= deadline) break;
    await clock.sleep(WORKER_PROBE_INTERVAL_MS, options.signal);
  }
  const failing = last.checks.filter((c) => c.status !== "healthy").map((c) => `${c.name}: ${c.error_code}`);
  return {
    ok: false,
    reason: `${release} did not pass its worker checks within ${Math.round(options.timeoutMs / 1000)} s (${failing.join("; ") || "no answer"})`,
  };
}
