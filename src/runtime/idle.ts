/**
 * The development idle pause (the seeds' "Cursor-aware" development trading): auto-execution pauses while
 * the machine has just slept (the wall clock jumped ahead of the monotonic clock), while none of the named
 * processes runs, or while a heartbeat file is older than its limit; it resumes by itself when the condition
 * clears. Production never pauses: the monitor is not even created there. Clocks, the process list and file
 * ages are injected, so tests move time instead of sleeping.
 */

export interface IdleSettings {
  /** idle while none of these processes runs (empty: no process rule) */
  readonly processes: readonly string[];
  readonly heartbeatFile?: string;
  readonly heartbeatMaxAgeMs?: number;
}

export interface IdleProbe {
  /** wall clock, epoch ms */
  wallNow(): number;
  /** monotonic clock, ms; it does not advance while the machine sleeps */
  monoNow(): number;
  /** names of running processes */
  processes(): Promise<readonly string[]>;
  /** mtime of a file in epoch ms, undefined when it does not exist */
  mtime(path: string): Promise<number | undefined>;
}

/** The wall clock may run ahead of the monotonic clock by this much between two checks before it is sleep. */
export const SLEEP_JUMP_MS = 30_000;
/** After a sleep, stay paused this long: data and positions need a moment to catch up. */
export const SLEEP_PAUSE_MS = 60_000;
/** How often a service checks. */
export const IDLE_CHECK_INTERVAL_MS = 5_000;

export class IdleMonitor {
  #lastWall: number;
  #lastMono: number;
  #sleptUntil = Number.NEGATIVE_INFINITY;
  #sleepReason = "";
  reason = "";

  constructor(
    readonly settings: IdleSettings,
    readonly probe: IdleProbe,
  ) {
    this.#lastWall = probe.wallNow();
    this.#lastMono = probe.monoNow();
  }

  /** Looks once; returns the reason to pause, or "" to run. */
  async check(): Promise<string> {
    const wall = this.probe.wallNow();
    const mono = this.probe.monoNow();
    const jump = wall - this.#lastWall - (mono - this.#lastMono);
    this.#lastWall = wall;
    this.#lastMono = mono;
    if (jump > SLEEP_JUMP_MS) {
      this.#sleptUntil = wall + SLEEP_PAUSE_MS;
      this.#sleepReason = `the machine slept for about ${Math.round(jump / 1000)}s`;
    }
    this.reason = await this.#reason(wall);
    return this.reason;
  }

  async #reason(wall: number): Promise<string> {
    if (wall < this.#sleptUntil) return this.#sleepReason;
    const { processes, heartbeatFile, heartbeatMaxAgeMs } = this.settings;
    if (processes.length) {
      const running = new Set((await this.probe.processes()).map((p) => p.toLowerCase()));
      if (!processes.some((p) => running.has(p.toLowerCase()))) return `none of ${processes.join(", ")} is running`;
    }
    if (heartbeatFile && heartbeatMaxAgeMs !== undefined) {
      const mtime = await this.probe.mtime(heartbeatFile);
      if (mtime === undefined) return `heartbeat file ${heartbeatFile} does not exist`;
      const age = wall - mtime;
      if (age > heartbeatMaxAgeMs) {
        return `heartbeat file ${heartbeatFile} is ${Math.round(age / 60_000)} min old (limit ${Math.round(heartbeatMaxAgeMs / 60_000)} min)`;
      }
    }
    return "";
  }
}
