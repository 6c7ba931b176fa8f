/**
 * The deploy lock per target and project (Kamal's `mkdir` lock, plus what its users miss): it records who, when and
 * what; it is held until the post-deploy checks end; a lock left by a crashed deploy is recognised as stale — its
 * process is gone (same host) or it stopped beating (other host) — and the next deploy takes it over, saying so.
 */
import { readFileSync } from "node:fs";
import { TroError } from "../errors.js";
import { sh } from "../exec/command.js";
import { systemClock } from "./clock.js";
import { LOCK_STALE_MS } from "./constants.js";
import type { TargetLayout } from "./layout.js";
import type { TargetFiles } from "./target-files.js";

export interface LockOwner {
  readonly id: string;
  /** `user@host` of the person or job deploying */
  readonly who: string;
  readonly host: string;
  readonly pid: number;
  /** the process's start time (Linux `/proc/<pid>/stat`), so that a reused pid is not mistaken for the owner */
  readonly pidStart?: string;
  readonly command: string;
  readonly project: string;
  readonly environment: string;
  readonly release?: string;
  readonly startedAt: string;
  heartbeatAt: string;
}

export interface LockStatus {
  readonly held: boolean;
  readonly owner?: LockOwner;
  readonly stale: boolean;
  readonly staleReason?: string;
}

export interface DeployLockOptions {
  readonly files: TargetFiles;
  readonly layout: TargetLayout;
  /** this machine's name, to tell whether an owner's pid can be checked here */
  readonly hostname: string;
  readonly now?: () => number;
  readonly isAlive?: (pid: number, pidStart?: string) => boolean;
  /** applied to the owner record before it is written (the command line may carry a secret) */
  readonly scrub?: (text: string) => string;
}

export interface DeployLock {
  status(): Promise<LockStatus>;
  /** takes the lock, or takes over a stale one (returned); throws when a live deploy holds it */
  acquire(owner: LockOwner): Promise<LockOwner | undefined>;
  /** rewrites the owner's beat; false when the lock is no longer this owner's (broken, or taken over) */
  heartbeat(owner: LockOwner): Promise<boolean>;
  release(owner: LockOwner): Promise<void>;
  /** removes the lock whoever holds it; returns who did */
  breakLock(): Promise<LockOwner | undefined>;
}

const ACQUIRE = 'umask 077; mkdir -p "$1" && chmod 700 "$1" || exit 2; mkdir "$2" 2>/dev/null || exit 3; cat > "$3"';
const REMOVE_IF = 'if grep -q "\\"id\\": \\"$2\\"" "$1/owner.json" 2>/dev/null; then rm -rf "$1"; fi';

/** The deploy lock of one target and project. */
export function openDeployLock(options: DeployLockOptions): DeployLock {
  const { files, layout } = options;
  const now = options.now ?? systemClock.now;
  const isAlive = options.isAlive ?? isProcessAlive;
  const judge = (owner: LockOwner): { stale: boolean; reason?: string } => {
    if (owner.host === options.hostname) {
      return isAlive(owner.pid, owner.pidStart)
        ? { stale: false }
        : { stale: true, reason: `its process ${owner.pid} on ${owner.host} is gone` };
    }
    const silent = now() - Date.parse(owner.heartbeatAt);
    return silent > LOCK_STALE_MS
      ? { stale: true, reason: `${owner.host} has not renewed it for ${Math.round(silent / 1000)} s` }
      : { stale: false };
  };
  const status = async (): Promise<LockStatus> => {
    const exists = (await files.executor.run({ argv: ["test", "-d", layout.lockDir] })).code === 0;
    if (!exists) return { held: false, stale: false };
    const owner = await files.readJson<LockOwner>(layout.lockOwner).catch(() => undefined);
    if (!owner) return { held: true, stale: true, staleReason: "it records no owner (a deploy died while taking it)" };
    const verdict = judge(owner);
    return { held: true, owner, stale: verdict.stale, staleReason: verdict.reason };
  };
  const tryTake = async (owner: LockOwner): Promise<boolean> => {
    const result = await files.executor.run({
      argv: sh(ACQUIRE, layout.shared, layout.lockDir, layout.lockOwner),
      input: (options.scrub ?? String)(`${JSON.stringify(owner, null, 2)}\n`),
    });
    if (result.code === 0) return true;
    if (result.code === 3) return false;
    throw new TroError(
      "TRO_ERR_TARGET_UNAVAILABLE",
      `Cannot create the deploy lock in ${layout.shared} on ${files.executor.host}.`,
      {
        hint: `Check that the target's base path ${layout.base} is writable.`,
      },
    );
  };
  const lock: DeployLock = {
    status,
    acquire: async (owner) => {
      if (await tryTake(owner)) return undefined;
      const current = await status();
      if (!current.held) {
        if (await tryTake(owner)) return undefined;
      } else if (current.stale) {
        if (current.owner) await files.executor.run({ argv: sh(REMOVE_IF, layout.lockDir, current.owner.id) });
        else await files.remove(layout.lockDir);
        if (await tryTake(owner)) return current.owner ?? ({ id: "unknown" } as LockOwner);
      }
      const holder = (await status()).owner;
      throw lockHeld(owner, holder);
    },
    heartbeat: async (owner) => {
      owner.heartbeatAt = new Date(now()).toISOString();
      const current = await files.readJson<LockOwner>(layout.lockOwner);
      if (current?.id !== owner.id) return false;
      await files.writeJson(layout.lockOwner, owner);
      return true;
    },
    release: async (owner) => {
      await files.executor.run({ argv: sh(REMOVE_IF, layout.lockDir, owner.id) });
    },
    breakLock: async () => {
      const current = await status();
      if (current.held) await files.remove(layout.lockDir);
      return current.owner;
    },
  };
  return lock;
}

function lockHeld(me: LockOwner, holder: LockOwner | undefined): TroError {
  const what = `${me.project} in ${me.environment}`;
  const who = holder
    ? `${holder.who} (pid ${holder.pid} on ${holder.host}, ${holder.command}${holder.release ? ` of ${holder.release}` : ""}) since ${holder.startedAt}`
    : "another deploy";
  return new TroError("TRO_ERR_LOCK_HELD", `The deploy lock of ${what} is held by ${who}.`, {
    hint: `Wait for it to finish. If that deploy crashed, \`tradeops lock status ${me.project} ${me.environment}\` says whether the lock is stale; \`tradeops lock break ${me.project} ${me.environment} --reason TEXT\` breaks it.`,
  });
}

/** Whether a process of this machine still runs (and is the same process, when its start time is known). */
export function isProcessAlive(pid: number, pidStart?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(pid);
  // a zombie is dead: where PID 1 does not reap orphans, a killed process can stay one
  if (stat && (stat[0] === "Z" || stat[0] === "X")) return false;
  return pidStart === undefined || stat === undefined || stat[19] === pidStart;
}

/** The fields of `/proc/<pid>/stat` after the command name (state first), or undefined off Linux. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The start time of a process in clock ticks since boot (Linux), or undefined elsewhere. */
export function processStart(pid: number): string | undefined {
  return procStat(pid)?.[19];
}
