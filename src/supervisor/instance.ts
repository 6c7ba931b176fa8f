/**
 * One supervised instance (`PROJECT` or `PROJECT@COLOR`) and its lifecycle, driven through the state table:
 * start, health monitoring, crash and hang handling with the restart policy, graceful→forced stop, adoption.
 * Every (re)start resolves the manifest, config and secrets afresh: no stale environment (PM2 #3192).
 */
import { appendFileSync } from "node:fs";
import { TroError } from "../errors.js";
import { iso } from "./clock.js";
import { FAILURE_LOG_LINES, RECENT_EVENTS, STABLE_AFTER_MS } from "./constants.js";
import { describeError, describeExit, healthTimeoutError, notRunningError } from "./describe.js";
import type { BaseEnv, InstanceContext, Launch } from "./instance-context.js";
import { tailLines } from "./logs.js";
import { type HealthState, startMonitor } from "./monitor.js";
import { errLogFileOf, logFileOf } from "./paths.js";
import { decideRestart, type EndedRun, FRESH_STREAK, type RestartSettings, type RestartStreak } from "./policy.js";
import { WarmSpare } from "./spare.js";
import type { ExitInfo, ProcessHandle, SpawnOptions } from "./spawn.js";
import { terminate } from "./spawn.js";
import { ACTIVE_STATES, ensureTransition, type InstanceState, type Trigger } from "./states.js";
import type { InstanceRecord } from "./store.js";
import { removePidFile, writePidFile } from "./store.js";
import type { ExitRecord, FailureRecord, InstanceRequest, StateChange } from "./types.js";
import { instanceName } from "./types.js";
import { Waiters } from "./waiters.js";

type StopIntent = "stop" | "recover";

const DEFAULT_RESTART: RestartSettings = { backoffSeconds: [5, 10, 20], maxRestarts: 3 };

export class Instance {
  readonly name: string;
  request: InstanceRequest;
  desired: "running" | "stopped" = "stopped";
  restarts = 0;
  lastExit?: ExitRecord;
  lastFailure?: FailureRecord;
  startedAt?: number;
  runningSince?: number;
  nextStartAt?: number;
  /** the wait of the current backoff */
  backoffDelayMs?: number;
  #state: InstanceState = "stopped";
  #handle?: ProcessHandle;
  #launch?: Launch;
  #base: BaseEnv;
  #streak: RestartStreak = FRESH_STREAK;
  #intent?: StopIntent;
  #recoverReason = "";
  #cancelBackoff?: () => void;
  #stopMonitor?: () => void;
  #launching?: Promise<void>;
  #generation = 0;
  #detached = false;
  readonly #waiters = new Waiters();
  #recent: StateChange[] = [];
  readonly #spare: WarmSpare;
  /** what the current run was spawned with: a warm spare is started from it */
  #spec?: SpawnOptions;
  readonly health: HealthState = {
    level1: { status: "unknown", consecutiveFailures: 0 },
    level2: { status: "unknown", consecutiveFailures: 0 },
  };

  constructor(
    request: InstanceRequest,
    base: BaseEnv,
    private readonly ctx: InstanceContext,
  ) {
    this.request = request;
    this.name = instanceName(request.project, request.color);
    this.#base = base;
    this.#spare = new WarmSpare({
      spawner: ctx.spawner,
      now: () => ctx.clock.now(),
      changed: () => ctx.changed(this),
      mark: (text) => this.#mark(text),
    });
  }

  /** the warm spare (health.warmSpare), when one is up */
  get spare(): WarmSpare {
    return this.#spare;
  }

  get state(): InstanceState {
    return this.#state;
  }

  get pid(): number | undefined {
    return this.#handle?.pid;
  }

  get launch(): Launch | undefined {
    return this.#launch;
  }

  get isActive(): boolean {
    return ACTIVE_STATES.has(this.#state) || this.#state === "backoff";
  }

  get logFile(): string {
    return logFileOf(this.ctx.layout, this.name);
  }

  get errLogFile(): string {
    return errLogFileOf(this.ctx.layout, this.name);
  }

  /** Starts it unless it is up already (`already: true`); clears `failed`. @throws TroError from config, secrets or spawn */
  async start(base?: BaseEnv, request?: InstanceRequest): Promise<{ already: boolean }> {
    await this.#launching;
    if (base) this.#base = base;
    this.desired = "running";
    if (this.#state === "stopping") {
      await this.#until((s) => s !== "stopping");
      return this.start(base, request);
    }
    if (ACTIVE_STATES.has(this.#state)) return { already: true };
    if (request) this.request = request;
    if (this.#state === "backoff") this.#cancelBackoff?.();
    else this.#streak = FRESH_STREAK;
    await this.#run("start", true);
    return { already: false };
  }

  /** Stops it gracefully (SIGTERM, SIGKILL after `graceMs`) and keeps it stopped. */
  async stop(graceMs: number): Promise<void> {
    this.desired = "stopped";
    await Promise.all([this.#halt(graceMs), this.#spare.discard("the service stopped")]);
  }

  /** Stops it if it runs, then starts it afresh with a new streak (clears `failed`). */
  async restart(graceMs: number, base?: BaseEnv): Promise<void> {
    if (base) this.#base = base;
    await this.#halt(graceMs);
    this.desired = "running";
    this.#streak = FRESH_STREAK;
    await this.#run("start", true);
  }

  /** Resolves once it is running (healthy); rejects when it fails, is stopped, or the time runs out. */
  async waitRunning(timeoutMs: number): Promise<void> {
    const deadline = this.ctx.clock.now() + timeoutMs;
    for (;;) {
      if (this.#state === "running") return;
      if (this.#state === "failed" || (this.#state === "stopped" && this.desired === "stopped")) {
        throw notRunningError(this.name, this.request.project, this.#state, this.lastFailure?.reason);
      }
      const left = deadline - this.ctx.clock.now();
      if (left <= 0)
        throw healthTimeoutError(this.name, this.request.project, this.#state, timeoutMs, this.health.level1);
      await this.#change(left);
    }
  }

  /** Stops supervising without touching the process: timers cancelled, the process left for the next supervisor. */
  detach(): void {
    this.#detached = true;
    this.#generation++;
    this.#cancelBackoff?.();
    this.#stopMonitor?.();
    this.#handle?.release();
  }

  /** Takes over a live process recorded by a previous supervisor. */
  adopt(record: InstanceRecord, handle: ProcessHandle): void {
    this.#restore(record);
    this.#handle = handle;
    this.#launch = this.#tryResolve();
    this.startedAt = record.startedAt ? Date.parse(record.startedAt) : this.ctx.clock.now();
    const to = record.state === "starting" ? "starting" : "running";
    if (to === "running") this.runningSince = record.runningSince ? Date.parse(record.runningSince) : this.startedAt;
    this.#to("adopt", to, { pid: handle.pid, reason: "adopted after a supervisor restart" });
    this.#watch(handle);
  }

  /** Brings back a record whose process is gone: starts it again when it was meant to run, else keeps its state. */
  async resume(record: InstanceRecord): Promise<void> {
    this.#restore(record);
    if (record.desired !== "running" || record.state === "failed" || record.state === "stopped") {
      this.#state = record.state === "failed" ? "failed" : "stopped";
      this.ctx.changed(this);
      return;
    }
    if (record.pid) {
      this.lastExit = { code: null, signal: null, at: iso(this.ctx.clock.now()), unobserved: true };
    }
    this.restarts++;
    await this.#run("start", false);
  }

  #restore(record: InstanceRecord): void {
    this.desired = record.desired;
    this.restarts = record.restarts;
    this.#streak = { streak: record.streak, backoffStep: record.backoffStep };
    this.lastExit = record.lastExit;
    this.lastFailure = record.lastFailure;
  }

  #tryResolve(): Launch | undefined {
    try {
      return this.ctx.resolve(this.request);
    } catch {
      return undefined;
    }
  }

  async #halt(graceMs: number): Promise<void> {
    await this.#launching;
    switch (this.#state) {
      case "stopped":
        return;
      case "failed":
        this.#to("stop", "stopped");
        return;
      case "backoff":
        this.#cancelBackoff?.();
        this.#to("stop", "stopped");
        return;
      case "stopping":
        this.#intent = "stop";
        await this.#until((s) => s !== "stopping");
        return this.#halt(graceMs);
      default: {
        const handle = this.#handle!;
        this.#intent = "stop";
        this.#to("stop", "stopping", { pid: handle.pid });
        const result = await terminate(handle, graceMs);
        if (!result.exited) {
          throw new TroError(
            "TRO_ERR_COMMAND_FAILED",
            `${this.name} (pid ${handle.pid}) did not exit even after SIGKILL.`,
            {
              hint: "It may be stuck in the kernel (uninterruptible I/O); check it with `ps -o stat,wchan -p PID`.",
            },
          );
        }
        await this.#until((s) => s !== "stopping");
      }
    }
  }

  /** One run: resolve, guard, prepare the environment, spawn. `explicit` runs throw their errors to the caller. */
  #run(trigger: Trigger, explicit: boolean): Promise<void> {
    const job = this.#spawnRun(trigger, explicit);
    this.#launching = job.catch(() => undefined);
    return job;
  }

  async #spawnRun(trigger: Trigger, explicit: boolean): Promise<void> {
    const generation = ++this.#generation;
    this.nextStartAt = undefined;
    this.runningSince = undefined;
    this.startedAt = this.ctx.clock.now();
    this.health.level1 = { status: "unknown", consecutiveFailures: 0 };
    this.health.level2 = { status: "unknown", consecutiveFailures: 0 };
    this.#to(trigger, "starting");
    let handle: ProcessHandle;
    try {
      const launch = this.ctx.resolve(this.request);
      this.#launch = launch;
      // after an exit we saw, no unknown copy can exist unless one did at the last start: the scan of every
      // process is kept for starts, resumes and order senders, and saved on a crash restart
      // the guard and the environment (config and secrets, afresh) do not depend on each other: a restart after a
      // crash waits for the longer of the two only; the guard's refusal comes first
      const [guarded, prepared] = await Promise.allSettled([
        this.ctx.guard(this, launch, trigger !== "backoffElapsed" || launch.sendsOrders),
        this.ctx.environment(this, launch, this.#base),
      ]);
      if (guarded.status === "rejected") throw guarded.reason;
      if (prepared.status === "rejected") throw prepared.reason;
      const spec = {
        argv: launch.argv,
        cwd: launch.dir,
        env: prepared.value,
        logFile: this.logFile,
        errLogFile: this.errLogFile,
      };
      this.#spec = spec;
      // an unrequested restart hands over to a ready spare started for this very launch; `start` and `restart`
      // (a new release, tradeops upgraded) always start afresh, and a spare of another launch is never used
      const spare = launch.health.warmSpare && trigger !== "start" ? this.#spare.take(spec) : undefined;
      if (!launch.health.warmSpare) void this.#spare.discard("warmSpare is off");
      else if (trigger === "start") void this.#spare.discard("the service starts afresh");
      handle = spare ?? (await this.ctx.spawner.spawn(spec));
    } catch (error) {
      if (generation !== this.#generation) return;
      const reason = this.ctx.scrub(describeError(error));
      if (explicit) {
        this.lastFailure = { reason, at: iso(this.ctx.clock.now()), logTail: [] };
        this.#to("startFailed", "failed", { reason });
        throw error;
      }
      this.#afterFailure("startFailed", { established: false, runningMs: 0 }, reason);
      return;
    }
    this.#handle = handle;
    writePidFile(this.ctx.layout, this.name, handle.pid);
    this.#mark(
      `started pid ${handle.pid}${this.request.release ? ` release ${this.request.release}` : ""}, orders ${this.request.orders ? "on" : "off"}`,
    );
    this.ctx.changed(this, this.#record("starting", "starting", "spawned", { pid: handle.pid }));
    this.#watch(handle);
  }

  #watch(handle: ProcessHandle): void {
    void handle.exited.then((exit) => this.#onExit(handle, exit));
    this.#stopMonitor?.();
    this.#stopMonitor = startMonitor(this, handle, {
      clock: this.ctx.clock,
      probe: this.ctx.probe,
      healthy: () => {
        this.runningSince = this.ctx.clock.now();
        this.#to("healthy", "running", { pid: handle.pid });
        this.#keepSpare();
      },
      failed: (reason) => this.#to("healthFailed", "unhealthy", { reason }),
      recovered: () => this.#to("recovered", "running"),
      changed: () => {
        // a run that has been up long enough ends the restart streak (shown in status, used by the policy)
        if (this.runningSince !== undefined && this.ctx.clock.now() - this.runningSince >= STABLE_AFTER_MS) {
          this.#streak = FRESH_STREAK;
        }
        this.ctx.changed(this);
        this.#keepSpare();
      },
      giveUp: (reason, trigger) => {
        this.#intent = "recover";
        this.#recoverReason = reason;
        this.#to(trigger, "stopping", { pid: handle.pid, reason });
        void terminate(handle, this.ctx.stopGraceMs);
      },
    });
  }

  #onExit(handle: ProcessHandle, exit: ExitInfo): void {
    if (handle !== this.#handle || this.#detached) return;
    this.#stopMonitor?.();
    this.#handle = undefined;
    removePidFile(this.ctx.layout, this.name);
    const now = this.ctx.clock.now();
    this.lastExit = {
      code: exit.code,
      signal: exit.signal,
      at: iso(now),
      ...(exit.unobserved ? { unobserved: true } : {}),
    };
    this.health.level1 = { status: "unknown", consecutiveFailures: 0 };
    this.health.level2 = { status: "unknown", consecutiveFailures: 0 };
    const how = describeExit(exit);
    this.#mark(`pid ${handle.pid} ${how}`);
    const run = {
      established: this.runningSince !== undefined,
      runningMs: this.runningSince ? now - this.runningSince : 0,
    };
    if (this.#state === "stopping") {
      const intent = this.#intent;
      this.#intent = undefined;
      if (intent === "recover") this.#afterFailure("exited", run, this.#recoverReason);
      else this.#to("exited", "stopped", { reason: how });
      return;
    }
    this.#afterFailure("exited", { ...run, crashed: true }, how);
  }

  #afterFailure(trigger: Trigger, run: EndedRun, reason: string): void {
    const settings = this.restartSettings;
    const decision = decideRestart(this.#streak, run, settings);
    const at = iso(this.ctx.clock.now());
    // why a process died is usually on its standard error
    const logTail = [...tailLines(this.logFile, FAILURE_LOG_LINES), ...tailLines(this.errLogFile, FAILURE_LOG_LINES)]
      .slice(-FAILURE_LOG_LINES)
      .map((line) => this.ctx.scrub(line));
    if (decision.kind === "fail") {
      const full = `${reason}; gave up after ${decision.restarts} restart${decision.restarts === 1 ? "" : "s"} in a row`;
      this.lastFailure = { reason: full, at, logTail };
      this.#to(trigger, "failed", { reason: full });
      void this.#spare.discard("the service failed");
      return;
    }
    this.lastFailure = { reason, at, logTail };
    this.#streak = decision.next;
    this.restarts++;
    this.nextStartAt = this.ctx.clock.now() + decision.delayMs;
    this.backoffDelayMs = decision.delayMs;
    this.#to(trigger, "backoff", { reason, delayMs: decision.delayMs });
    const generation = this.#generation;
    this.#cancelBackoff = this.ctx.clock.setTimer(() => {
      if (generation !== this.#generation || this.#state !== "backoff") return;
      void this.#run("backoffElapsed", false);
    }, decision.delayMs);
  }

  #to(trigger: Trigger, to: InstanceState, extra: Omit<StateChange, "at" | "from" | "to" | "trigger"> = {}): void {
    const from = this.#state;
    ensureTransition(this.name, from, trigger, to);
    this.#state = to;
    if (!(from === to && trigger === "healthFailed")) {
      this.ctx.changed(this, this.#record(from, to, trigger, extra));
    } else {
      this.ctx.changed(this);
    }
    this.#waiters.wake();
  }

  #record(from: InstanceState, to: InstanceState, trigger: string, extra: object): StateChange {
    const change: StateChange = { at: iso(this.ctx.clock.now()), from, to, trigger, ...extra };
    this.#recent.push(change);
    if (this.#recent.length > RECENT_EVENTS) this.#recent.shift();
    return change;
  }

  /** Keeps a warm spare of the running launch (health.warmSpare), started in the background once the run is up. */
  #keepSpare(): void {
    const spec = this.#spec;
    if (!spec || this.#state !== "running" || this.#detached || this.desired !== "running") return;
    if (!this.#launch?.health.warmSpare) return;
    this.#spare.ensure(spec).catch((error) => this.#mark(`spare not started: ${describeError(error)}`));
  }

  #mark(text: string): void {
    try {
      appendFileSync(this.logFile, `[tradeops ${iso(this.ctx.clock.now())}] ${this.name}: ${this.ctx.scrub(text)}\n`, {
        mode: 0o600,
      });
    } catch {
      // the log directory is gone; the state change is still recorded
    }
  }

  #change(timeoutMs: number): Promise<void> {
    return this.#waiters.next(this.ctx.clock, timeoutMs);
  }

  async #until(test: (state: InstanceState) => boolean): Promise<void> {
    while (!test(this.#state)) await this.#change(60_000);
  }

  /** the project's backoff and give-up, as last resolved (the seed's defaults before the first resolve) */
  get restartSettings(): RestartSettings {
    return this.#launch?.health ?? DEFAULT_RESTART;
  }

  get streak(): RestartStreak {
    return this.#streak;
  }

  get recent(): readonly StateChange[] {
    return this.#recent;
  }

  get handle(): ProcessHandle | undefined {
    return this.#handle;
  }
}
