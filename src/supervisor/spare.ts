/**
 * Why: with `health.warmSpare`, a crash is answered by a process that is already loaded. The supervisor keeps a second
 * process of the instance's start command in standby (TRADEOPS_STANDBY=1 and an IPC channel: src/node/standby.ts), and
 * on an unrequested restart tells it to go instead of spawning, when it was started for exactly the launch the restart
 * resolved (a fingerprint of command, directory and environment — config, secrets, release, orders, port). A spare that
 * differs is stopped, never used: a spare never serves stale config. It binds no port and takes no lease until it goes.
 */
import { createHash } from "node:crypto";
import { iso } from "./clock.js";
import { type ProcessHandle, type Spawner, type SpawnOptions, terminate } from "./spawn.js";
import { STANDBY_GO, STANDBY_READY, STANDBY_VARIABLE } from "./standby-protocol.js";

/** How long a spare (which holds nothing) gets after SIGTERM before SIGKILL. */
const SPARE_GRACE_MS = 2_000;
/** a spare that exits by itself this often for one launch is not started again for it (it cannot stand by) */
const SPARE_MAX_EXITS = 3;

export interface SpareStatus {
  readonly pid: number;
  /** `loading`: started, its modules not loaded yet; `ready`: it can take over */
  readonly state: "loading" | "ready";
  readonly startedAt: string;
  /** the first 12 hex digits of the launch fingerprint it was started for */
  readonly fingerprint: string;
}

/** The launch as a fingerprint: the argv, the directory and the environment (whatever the order of its keys). */
export function launchFingerprint(spec: Pick<SpawnOptions, "argv" | "cwd" | "env">): string {
  const env = Object.entries(spec.env)
    .filter(([key]) => key !== STANDBY_VARIABLE)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(JSON.stringify([spec.argv, spec.cwd, env]))
    .digest("hex");
}

const isReady = (message: unknown): boolean =>
  typeof message === "object" &&
  message !== null &&
  (message as { tradeops?: unknown }).tradeops === STANDBY_READY.tradeops;

interface Held {
  readonly handle: ProcessHandle;
  readonly fingerprint: string;
  readonly startedAt: number;
  ready: boolean;
}

/** The warm spare of one instance: at most one, started, handed over, replaced and stopped here. */
export class WarmSpare {
  #held?: Held;
  #queue: Promise<unknown> = Promise.resolve();
  /** spares that exited by themselves, per launch fingerprint */
  readonly #exits = new Map<string, number>();

  constructor(
    private readonly o: {
      readonly spawner: Spawner;
      readonly now: () => number;
      /** the spare appeared, became ready or went away (status and the state file) */
      readonly changed: () => void;
      /** a line in the instance's log */
      readonly mark: (text: string) => void;
    },
  ) {}

  get pid(): number | undefined {
    return this.#live()?.handle.pid;
  }

  get status(): SpareStatus | null {
    const held = this.#live();
    if (!held) return null;
    return {
      pid: held.handle.pid,
      state: held.ready ? "ready" : "loading",
      startedAt: iso(held.startedAt),
      fingerprint: held.fingerprint.slice(0, 12),
    };
  }

  /** Starts a spare for `spec` unless one for the same launch is up; one for another launch is replaced. */
  ensure(spec: SpawnOptions): Promise<void> {
    return this.#serial(async () => {
      const fingerprint = launchFingerprint(spec);
      const live = this.#live();
      if (live?.fingerprint === fingerprint) return;
      if ((this.#exits.get(fingerprint) ?? 0) >= SPARE_MAX_EXITS) return;
      if (live) await this.#stop(live, "replaced: the launch changed (command, directory, config, secrets or release)");
      const handle = await this.o.spawner.spawn({ ...spec, env: { ...spec.env, [STANDBY_VARIABLE]: "1" }, ipc: true });
      const held: Held = { handle, fingerprint, startedAt: this.o.now(), ready: false };
      this.#held = held;
      handle.channel?.onMessage((message) => {
        if (!isReady(message) || held.ready || this.#held !== held) return;
        held.ready = true;
        this.o.mark(`spare pid ${handle.pid} ready`);
        this.o.changed();
      });
      void handle.exited.then(() => {
        if (this.#held !== held) return;
        this.#held = undefined;
        const exits = (this.#exits.get(fingerprint) ?? 0) + 1;
        this.#exits.set(fingerprint, exits);
        this.o.mark(
          `spare pid ${handle.pid} exited by itself${exits >= SPARE_MAX_EXITS ? `, ${exits} times: no spare for this launch` : ""}`,
        );
        this.o.changed();
        // another in its place at once (the instance asks again at every health poll otherwise)
        this.ensure(spec).catch((error: Error) => this.o.mark(`spare not started: ${error.message}`));
      });
      this.o.mark(`spare pid ${handle.pid} started`);
      this.o.changed();
    });
  }

  /**
   * The ready spare, told to go, when it was started for exactly `spec`; else undefined (and a spare for another
   * launch is stopped). The caller watches the returned handle as its new process.
   */
  take(spec: Pick<SpawnOptions, "argv" | "cwd" | "env">): ProcessHandle | undefined {
    const held = this.#live();
    if (!held?.ready) return undefined;
    if (held.fingerprint !== launchFingerprint(spec)) {
      void this.#serial(() => this.#stop(held, "not used: it was started for another launch"));
      return undefined;
    }
    if (!held.handle.channel?.send(STANDBY_GO)) return undefined;
    this.#held = undefined;
    this.o.mark(`spare pid ${held.handle.pid} takes over`);
    return held.handle;
  }

  /** Stops the spare (the service stops, or the supervisor lets it go). */
  discard(why: string): Promise<void> {
    return this.#serial(async () => {
      const live = this.#live();
      if (live) await this.#stop(live, why);
    });
  }

  #live(): Held | undefined {
    const held = this.#held;
    return held && !held.handle.hasExited() ? held : undefined;
  }

  async #stop(held: Held, why: string): Promise<void> {
    if (this.#held === held) this.#held = undefined;
    this.o.mark(`spare pid ${held.handle.pid} stopped: ${why}`);
    await terminate(held.handle, SPARE_GRACE_MS);
    this.o.changed();
  }

  #serial(job: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(job);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
