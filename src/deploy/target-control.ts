/**
 * Stopping, starting again and removing what a deploy left on a target (Kamal's `app stop|start|remove`). Each takes
 * the target's deploy lock, so it never races a deploy, and leaves a line in the target's history.
 *
 *   stop    both colours' processes and the front proxy stop; the records stay (the active colour is remembered)
 *   start   the active release starts again in its colour, passes health, and the proxy routes to it again
 *   remove  stop, then the releases and everything under shared/ but the persistent paths and the history
 */
import { randomBytes } from "node:crypto";
import { TroError } from "../errors.js";
import { sh } from "../exec/command.js";
import type { HealthLevel } from "../health/probe.js";
import { isoNow } from "./clock.js";
import { START_TIMEOUT_MS, STOP_GRACE_SECONDS } from "./constants.js";
import { ensureHostRunner, ensureHostSecrets } from "./host-secrets.js";
import { type LockOwner, processStart } from "./lock.js";
import { policyOf } from "./policy.js";
import { stopCommand } from "./process-commands.js";
import type { TargetSession } from "./session.js";
import { startVerified, switchTraffic } from "./switch.js";
import { type OperatedState, type OperateOptions, openTargetSessions } from "./target-ops.js";
import { COLORS, type Color, type DeployRecord } from "./types.js";

export interface ControlOptions extends OperateOptions {
  /** `who@host` for the lock and the history */
  readonly who: string;
  /** the command line, for the lock */
  readonly command: string;
  /** how long the release may take to pass health on `start` */
  readonly startTimeoutMs?: number;
}

export interface StoppedInstance {
  readonly color: Color;
  readonly release: string;
  readonly pid: number;
}

export interface StopResult {
  readonly host: string;
  readonly stopped: readonly StoppedInstance[];
  /** the front proxy's pid when one was stopped */
  readonly proxyPid: number | null;
  /** a project deployed without a port has no front proxy at all */
  readonly portless: boolean;
}

export interface StartResult {
  readonly host: string;
  readonly color: Color;
  readonly release: string;
  readonly pid: number;
  /** false when it already ran and the proxy already routed to it */
  readonly started: boolean;
  readonly health: string;
}

export interface RemoveResult extends StopResult {
  readonly path: string;
  /** what was deleted, relative to the target's path */
  readonly removed: readonly string[];
  /** what was kept, relative to the target's path */
  readonly kept: readonly string[];
}

/** Stops both colours and the front proxy on every host; the records stay, so `start` knows what to start. */
export async function stopTarget(options: ControlOptions): Promise<StopResult[]> {
  return withLocks(options, "stop", undefined, async (session, state) => {
    const result = await stopAll(session, state);
    await session.records.writeState({
      ...state,
      stopped: { at: new Date(now(options)).toISOString(), who: options.who },
    });
    return result;
  });
}

/**
 * Starts the active release again in its colour on every host, waits for health and routes the proxy to it.
 * @throws TroError TRO_ERR_POLICY_REFUSED (a `secrets: host` target under the direct runner, before any host changes),
 *   TRO_ERR_USAGE (nothing deployed), TRO_ERR_HEALTH_FAILED, TRO_ERR_LOCK_HELD
 */
export async function startTarget(options: ControlOptions): Promise<StartResult[]> {
  const level = policyOf(options.workspace, options.environment).healthLevel as HealthLevel;
  // the direct runner would start the release from an env file without the host's secrets (or with old ones)
  const ensure = (session: TargetSession) =>
    ensureHostRunner(
      session.target,
      session.host,
      { kind: session.runner.kind, recorded: session.runner.kind },
      undefined,
    );
  return withLocks(options, "start", ensure, async (session, state) => {
    const color = state.active;
    const instance = color ? state.colors[color] : undefined;
    if (!color || !instance) {
      throw new TroError("TRO_ERR_USAGE", `Nothing is deployed for ${session.project.name} on ${session.host}.`, {
        hint: `Deploy it first: tradeops deploy ${session.project.name} to ${options.environment}`,
      });
    }
    const slot = { color, release: instance.release, port: instance.port };
    const running = await session.runner.running(color);
    const proxy = await session.proxy.status().catch(() => undefined);
    if (running && proxy?.route?.port === slot.port) {
      const probe = await session.runner.health(slot.port, level);
      const { stopped: _, ...rest } = state;
      await session.records.writeState(rest);
      const health = `level ${level} ${probe.passing}/${probe.total}`;
      return { host: session.host, color, release: slot.release, pid: running.pid, started: false, health };
    }
    await ensureHostSecrets(session, slot.release);
    const wait = await startVerified(session, slot, {
      orders: instance.orders,
      level,
      timeoutMs: options.startTimeoutMs ?? START_TIMEOUT_MS,
    });
    if (!wait.ok) {
      throw new TroError("TRO_ERR_HEALTH_FAILED", `${session.project.name} on ${session.host}: ${wait.reason}.`, {
        hint: `Read its log: tradeops target logs ${session.project.name} ${options.environment}`,
      });
    }
    await switchTraffic(session, slot);
    const info = await session.runner.running(color);
    const { stopped: _, ...rest } = state;
    await session.records.writeState({
      ...rest,
      colors: { ...state.colors, [color]: { ...instance, startedAt: info?.startedAt || isoNow(session.clock) } },
    });
    const health = `level ${level} ${wait.probe.passing}/${wait.probe.total}`;
    return { host: session.host, color, release: slot.release, pid: info?.pid ?? 0, started: true, health };
  });
}

/** Paths under a target's base that `remove` keeps: the data that outlives releases, and the history. */
const KEPT = ["shared/persist", "shared/history.jsonl"];
/** Removes every release and everything under shared/ but the kept paths; prints what it removed, one per line. */
const REMOVE = [
  'cd "$1" 2>/dev/null || exit 0',
  'for p in releases shared/*  shared/.[!.]*; do [ -e "$p" ] || continue; case "$p" in shared/persist|shared/history.jsonl|shared/deploy.lock) continue;; esac; rm -rf "$p" && echo "$p"; done',
].join("\n");

/** Stops everything and removes the releases and their records, keeping the persistent paths and the history. */
export async function removeTarget(options: ControlOptions): Promise<RemoveResult[]> {
  return withLocks(options, "remove", undefined, async (session, state) => {
    const stopped = await stopAll(session, state);
    const result = await session.executor.run({ argv: sh(REMOVE, session.layout.base) });
    if (result.code !== 0) {
      throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", `Could not remove ${session.layout.base} on ${session.host}.`, {
        hint: `Its processes are stopped; remove the directory by hand. (${result.stderr.trim().slice(0, 200)})`,
      });
    }
    const removed = result.stdout.split("\n").filter(Boolean);
    const kept = [];
    for (const p of KEPT)
      if ((await session.executor.run({ argv: ["test", "-e", `${session.layout.base}/${p}`] })).code === 0)
        kept.push(p);
    return { ...stopped, path: session.layout.base, removed, kept };
  });
}

/** Stops both colours (whatever runs in them) and the front proxy. */
async function stopAll(session: TargetSession, state: OperatedState): Promise<StopResult> {
  const stopped: StoppedInstance[] = [];
  for (const color of COLORS) {
    const info = await session.runner.running(color);
    // a colour whose process is gone may still have a supervisor or a record: stop clears both
    await session.runner.stop(color, STOP_GRACE_SECONDS);
    if (info) stopped.push({ color, release: info.release ?? state.colors[color]?.release ?? "", pid: info.pid });
  }
  const proxy = await session.proxy.status().catch(() => undefined);
  await session.proxy.stop();
  // the proxy's restart loop is gone once stop() returns; the proxy itself may still be closing its port: wait for it
  if (proxy?.pid) await session.executor.run({ argv: stopCommand(proxy.pid, STOP_GRACE_SECONDS) });
  return { host: session.host, stopped, proxyPid: proxy?.pid ?? null, portless: Boolean(session.target.style) };
}

const now = (options: ControlOptions) => (options.now ?? Date.now)();

/**
 * Runs an operation on every host of the target under its deploy lock, and records it in the target's history;
 * `ensure` refuses it on any host before anything changes on one.
 */
async function withLocks<T>(
  options: ControlOptions,
  kind: "stop" | "start" | "remove",
  ensure: ((session: TargetSession) => void) | undefined,
  work: (session: TargetSession, state: OperatedState) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  const opened = await openTargetSessions(options);
  if (ensure) for (const { session } of opened) ensure(session);
  for (const { session, state } of opened) {
    const startedAt = new Date(now(options)).toISOString();
    const owner: LockOwner = {
      id: `${startedAt.replace(/[-:.]/g, "").slice(0, 15)}Z-${kind}-${randomBytes(3).toString("hex")}`,
      who: options.who,
      host: options.hostname,
      pid: process.pid,
      pidStart: processStart(process.pid),
      command: options.command,
      project: session.project.name,
      environment: options.environment,
      startedAt,
      heartbeatAt: startedAt,
    };
    await session.lock.acquire(owner);
    const record: DeployRecord = {
      id: owner.id,
      kind,
      project: session.project.name,
      environment: options.environment,
      host: session.host,
      release: (state.active && state.colors[state.active]?.release) || "",
      commit: "",
      who: options.who,
      startedAt,
      gates: [],
      steps: [],
    };
    try {
      results.push(await work(session, state));
      record.outcome = "succeeded";
    } catch (error) {
      record.outcome = "failed";
      record.reason = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      record.finishedAt = new Date(now(options)).toISOString();
      record.durationMs = Date.parse(record.finishedAt) - Date.parse(startedAt);
      await session.records.appendHistory(record).catch(() => undefined);
      await session.lock.release(owner).catch(() => undefined);
    }
  }
  return results;
}
