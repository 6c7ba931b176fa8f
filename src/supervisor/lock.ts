/**
 * One supervisor per state directory: its PID file is created exclusively; a PID file whose process is gone
 * (or is now another process, by start time) is stale and taken over.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { TroError } from "../errors.js";
import type { StateLayout } from "./paths.js";
import { isSameProcess, processStartTime } from "./process-info.js";
import { writeAtomic } from "./store.js";

export interface LockHolder {
  readonly pid: number;
  readonly startTime?: string;
  readonly startedAt?: string;
  readonly workspace?: string;
  readonly environment?: string;
}

export interface SupervisorLock {
  readonly holder: LockHolder;
  release(): void;
}

/** The live supervisor holding the directory, if any. */
export function readLockHolder(layout: StateLayout): LockHolder | undefined {
  const pid = readPid(layout.pidFile);
  if (pid === undefined) return undefined;
  let info: Partial<LockHolder> = {};
  try {
    info = JSON.parse(readFileSync(layout.infoFile, "utf8")) as LockHolder;
  } catch {
    // written just after the PID file; absent for a moment
  }
  const startTime = info.pid === pid ? info.startTime : undefined;
  return isSameProcess(pid, startTime) ? { ...info, pid } : undefined;
}

/**
 * Takes the directory for this process.
 * @throws TroError TRO_ERR_SUPERVISOR_BUSY when a live supervisor holds it
 */
export function acquireSupervisorLock(
  layout: StateLayout,
  about: { readonly workspace: string; readonly environment: string; readonly now: Date },
): SupervisorLock {
  const holder: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    startedAt: about.now.toISOString(),
    workspace: about.workspace,
    environment: about.environment,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(layout.pidFile, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      writeAtomic(layout.infoFile, `${JSON.stringify(holder, null, 2)}\n`);
      return {
        holder,
        release: () => {
          try {
            if (Number(readFileSync(layout.pidFile, "utf8").trim()) === process.pid) unlinkSync(layout.pidFile);
          } catch {
            // gone already
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const live = readLockHolder(layout);
    if (live) {
      throw new TroError("TRO_ERR_SUPERVISOR_BUSY", `A supervisor (pid ${live.pid}) already runs for ${layout.dir}.`, {
        hint: "Use `tradeops status`, or stop it with `tradeops supervisor stop` first.",
      });
    }
    takeStale(layout, readPid(layout.pidFile));
  }
  throw new TroError("TRO_ERR_SUPERVISOR_BUSY", `Cannot take ${layout.pidFile}: another supervisor keeps starting.`, {
    hint: "Check for competing supervisors with `tradeops status`.",
  });
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, "utf8").trim());
  } catch {
    return undefined;
  }
}

/** Moves a stale PID file aside; if a race replaced it with a fresh one meanwhile, that one is put back. */
function takeStale(layout: StateLayout, stalePid: number | undefined): void {
  const aside = `${layout.pidFile}.${process.pid}.stale`;
  try {
    renameSync(layout.pidFile, aside);
  } catch {
    return;
  }
  if (readPid(aside) !== stalePid) {
    try {
      linkSync(aside, layout.pidFile);
    } catch {
      // someone else already holds a fresh one
    }
  }
  unlinkSync(aside);
}
