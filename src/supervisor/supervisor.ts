/**
 * The supervisor of one workspace and environment: its instances, their shared rules (one port per
 * instance, never two order senders of a project at once, never a second copy of a service), the state file,
 * log maintenance. The background daemon serves it over a socket; `tradeops up` runs it in the foreground.
 */
import { sensitiveValues } from "../config/redact.js";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { SecretScrubber } from "../logging/scrubber.js";
import { prepareProcess } from "../secrets/prepare.js";
import { loadWorkspace } from "../workspace/load.js";
import type { Workspace } from "../workspace/types.js";
import { adoptRecorded } from "./adopt.js";
import { type Clock, iso, systemClock } from "./clock.js";
import { instanceVariables } from "./command.js";
import { DEFAULT_STOP_GRACE_MS, LOG_CHECK_INTERVAL_MS, LOG_MAX_BYTES, LOG_MAX_FILES } from "./constants.js";
import { type HealthProbe, probeHttp } from "./health-probe.js";
import { Instance } from "./instance.js";
import type { BaseEnv, InstanceContext, Launch } from "./instance-context.js";
import { instanceRecord, instanceStatus } from "./instance-view.js";
import { guardLaunch, resolveLaunch } from "./launch-rules.js";
import { acquireSupervisorLock, type SupervisorLock } from "./lock.js";
import { scheduleLogMaintenance } from "./log-maintenance.js";
import type { LogLimits } from "./logs.js";
import { type StateLayout, stateLayout } from "./paths.js";
import { type SignalsEndpoint, startSignalsEndpoint } from "./signals-endpoint.js";
import { createLocalSpawner, type Spawner } from "./spawn.js";
import { appendEvent, ensureStateDir, writeState } from "./store.js";
import type { Color, InstanceRequest, InstanceStatus, StateChange, SupervisorInfo, SupervisorStatus } from "./types.js";
import { instanceName, isInstanceOf } from "./types.js";

export interface SupervisorOptions {
  readonly workspaceRoot: string;
  readonly environment: EnvironmentName;
  readonly stateDir: string;
  /** the supervisor's own environment: the base for instances adopted or resumed without a client's */
  readonly env: BaseEnv;
  readonly loadWorkspace?: (root: string) => Workspace;
  readonly prepare?: typeof prepareProcess;
  readonly spawner?: Spawner;
  readonly probe?: HealthProbe;
  readonly clock?: Clock;
  readonly scrubber?: SecretScrubber;
  readonly logLimits?: Partial<LogLimits>;
  readonly stopGraceMs?: number;
  readonly logCheckIntervalMs?: number;
  /** every state change, for `up` and the daemon's own log */
  readonly onChange?: (instance: string, change: StateChange) => void;
  /** things an operator should know that are not state changes (disk low, a leftover process stopped) */
  readonly onNotice?: (message: string) => void;
}

/** `PROJECT|all`, optionally one colour. */
export interface Target {
  readonly project: string;
  readonly color?: Color;
}

export interface StartResult {
  readonly instance: InstanceStatus;
  readonly already: boolean;
  /** fields of the request that differ from the running instance's (apply them with restart) */
  readonly differs: readonly string[];
}

export class Supervisor {
  readonly layout: StateLayout;
  readonly instances = new Map<string, Instance>();
  readonly scrubber: SecretScrubber;
  readonly clock: Clock;
  readonly startedAt: number;
  #lock?: SupervisorLock;
  #cancelMaintenance?: () => void;
  #disk: { freeBytes: number | null; low: boolean } = { freeBytes: null, low: false };
  #closed = false;
  #released = false;
  #signals?: SignalsEndpoint;
  readonly #ctx: InstanceContext;

  constructor(readonly options: SupervisorOptions) {
    this.layout = stateLayout(options.stateDir);
    this.scrubber = options.scrubber ?? new SecretScrubber();
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock.now();
    const spawner = options.spawner ?? createLocalSpawner();
    this.#ctx = {
      layout: this.layout,
      clock: this.clock,
      spawner,
      probe: options.probe ?? probeHttp,
      stopGraceMs: this.stopGraceMs,
      resolve: (request) => this.#resolve(request),
      guard: (instance, launch, scan) => this.#guard(instance, launch, scan),
      environment: (instance, launch, base) => this.#environment(instance, launch, base),
      scrub: (text) => this.scrubber.scrub(text),
      changed: (instance, change) => this.#changed(instance, change),
    };
  }

  get stopGraceMs(): number {
    return this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  }

  /**
   * Takes the state directory, adopts live services a previous supervisor left, resumes those meant to run.
   * @throws TroError TRO_ERR_SUPERVISOR_BUSY when another supervisor holds the directory
   */
  async open(): Promise<void> {
    ensureStateDir(this.layout);
    this.#lock = acquireSupervisorLock(this.layout, {
      workspace: this.options.workspaceRoot,
      environment: this.options.environment,
      now: new Date(this.clock.now()),
    });
    this.#signals = await startSignalsEndpoint({
      stateDir: this.layout.dir,
      environment: this.options.environment,
      env: this.options.env,
      workspace: () => this.#workspace(),
    });
    await adoptRecorded(this, (request) => this.#instance(request), this.#ctx.spawner);
    this.#persist();
    this.#maintain();
  }

  /**
   * Starts one instance; an instance already up is reported, not restarted.
   * @throws TroError TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_USAGE, TRO_ERR_GUARD_REFUSED, TRO_ERR_CONFIG_INVALID, TRO_ERR_SECRET_*
   */
  async start(request: InstanceRequest, base: BaseEnv): Promise<StartResult> {
    this.#resolve(request);
    const existing = this.instances.get(instanceName(request.project, request.color));
    const instance = existing ?? this.#instance(request);
    const before = instance.request;
    const { already } = await instance.start(base, request);
    const differs = already
      ? (["release", "dir", "port", "orders"] as const).filter(
          (k) => request[k] !== undefined && request[k] !== before[k],
        )
      : [];
    return { instance: instanceStatus(instance, this.clock.now()), already, differs };
  }

  /** Every project with a start command, in manifest order. */
  startableProjects(): string[] {
    const workspace = this.#workspace();
    return Object.values(workspace.projects)
      .filter((p) => p.commands.start)
      .map((p) => p.name);
  }

  /** Stops the matching instances in parallel. @throws TroError TRO_ERR_PROJECT_UNKNOWN */
  async stop(target: Target, graceMs = this.stopGraceMs): Promise<InstanceStatus[]> {
    const matched = this.#match(target);
    await Promise.all(matched.map((i) => i.stop(graceMs)));
    return matched.map((i) => instanceStatus(i, this.clock.now()));
  }

  /** Restarts the matching instances (starting a known project that has none yet). @throws TroError */
  async restart(target: Target, base: BaseEnv, graceMs = this.stopGraceMs): Promise<InstanceStatus[]> {
    let matched = this.#match(target);
    if (!matched.length && target.project !== "all") {
      const request: InstanceRequest = { project: target.project, color: target.color, orders: true };
      this.#resolve(request); // nothing is recorded for a project that cannot start
      matched = [this.#instance(request)];
    }
    const results = await Promise.allSettled(matched.map((i) => i.restart(graceMs, base)));
    const failure = results.find((r) => r.status === "rejected");
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return matched.map((i) => instanceStatus(i, this.clock.now()));
  }

  /** Resolves when the instance runs healthy. @throws TroError TRO_ERR_HEALTH_FAILED, TRO_ERR_PROJECT_UNKNOWN */
  async waitRunning(name: string, timeoutMs: number): Promise<InstanceStatus> {
    const instance = this.instances.get(name);
    if (!instance) throw new TroError("TRO_ERR_PROJECT_UNKNOWN", `No instance ${name} is supervised here.`);
    await instance.waitRunning(timeoutMs);
    return instanceStatus(instance, this.clock.now());
  }

  /** Every instance (or one project's), with the supervisor's own facts. */
  status(project?: string): SupervisorStatus {
    const now = this.clock.now();
    const instances = [...this.instances.values()]
      .filter((i) => !project || isInstanceOf(i.name, project))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => instanceStatus(i, now));
    return { supervisor: this.info(), instances };
  }

  /** Who this supervisor is: pid, workspace, environment, state directory, free log space. */
  info(): SupervisorInfo {
    return {
      pid: process.pid,
      workspace: this.options.workspaceRoot,
      environment: this.options.environment,
      stateDir: this.layout.dir,
      startedAt: iso(this.startedAt),
      disk: this.#disk,
    };
  }

  /**
   * Ends supervision. `stopServices`: stop them first; `keepDesired`: remember they should run, so that the
   * next supervisor (after a reboot, under systemd) starts them again.
   */
  async close(options: { readonly stopServices: boolean; readonly keepDesired?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelMaintenance?.();
    if (options.stopServices) {
      const wanted = new Map([...this.instances].map(([name, i]) => [name, i.desired]));
      await Promise.allSettled([...this.instances.values()].map((i) => i.stop(this.stopGraceMs)));
      if (options.keepDesired) for (const [name, desired] of wanted) this.instances.get(name)!.desired = desired;
    }
    // spares hold nothing and are never adopted: they go with their supervisor
    await Promise.allSettled([...this.instances.values()].map((i) => i.spare.discard("the supervisor stopped")));
    for (const instance of this.instances.values()) instance.detach();
    await this.#signals?.close();
    this.#persist();
    this.#released = true;
    this.#lock?.release();
  }

  /** Registers an instance (used by adoption too). */
  #instance(request: InstanceRequest): Instance {
    const instance = new Instance(request, this.options.env, this.#ctx);
    this.instances.set(instance.name, instance);
    return instance;
  }

  #match(target: Target): Instance[] {
    if (target.project === "all") return [...this.instances.values()];
    const matched = [...this.instances.values()].filter(
      (i) => isInstanceOf(i.name, target.project) && (!target.color || i.request.color === target.color),
    );
    if (!matched.length && !this.#workspace().projects[target.project])
      this.#resolve({ project: target.project, orders: true });
    return matched;
  }

  #workspace(): Workspace {
    return (this.options.loadWorkspace ?? ((root) => loadWorkspace({ workspace: root })))(this.options.workspaceRoot);
  }

  /** The manifest is read afresh on every start: an edited command, port or health setting applies at once. */
  #resolve(request: InstanceRequest): Launch {
    return resolveLaunch(this.#workspace(), request);
  }

  #guard(instance: Instance, launch: Launch, scan: boolean): Promise<void> {
    const others = [...this.instances.values()].filter((i) => i !== instance && i.isActive);
    return guardLaunch(instance, launch, others, {
      scan,
      stateDir: this.layout.dir,
      spawner: this.#ctx.spawner,
      graceMs: this.stopGraceMs,
      notice: (message) => this.options.onNotice?.(message),
    });
  }

  async #environment(instance: Instance, launch: Launch, base: BaseEnv): Promise<Record<string, string>> {
    const prepared = await (this.options.prepare ?? prepareProcess)({
      workspace: launch.workspace,
      project: instance.request.project,
      environment: this.options.environment,
      env: base,
    });
    for (const secret of prepared.secrets.values())
      this.scrubber.add(secret.reveal(), `${secret.name} from ${secret.source}`);
    if (prepared.config)
      for (const { key, value } of sensitiveValues(prepared.config)) this.scrubber.add(value, `config ${key}`);
    for (const warning of prepared.report.warnings) this.options.onNotice?.(`${instance.name}: ${warning}`);
    const signals = this.#signals?.variables(instance.request.project) ?? {};
    if (signals.TRADEOPS_SIGNALS_TOKEN) this.scrubber.add(signals.TRADEOPS_SIGNALS_TOKEN, "signals token");
    return {
      ...prepared.run.env,
      ...signals,
      ...instanceVariables({
        name: instance.name,
        stateDir: this.layout.dir,
        port: launch.port,
        color: instance.request.color,
        release: instance.request.release,
        orders: instance.request.orders,
      }),
    };
  }

  #changed(instance: Instance, change?: StateChange): void {
    if (change) {
      try {
        appendEvent(this.layout, instance.name, change, (text) => this.scrubber.scrub(text));
      } catch {
        // the record is best effort; the state file below is what adoption needs
      }
      this.options.onChange?.(instance.name, change);
    }
    this.#persist();
  }

  /** Writes the state file; never after close, when a successor may own it. */
  #persist(): void {
    if (!this.#lock || this.#released) return;
    writeState(
      this.layout,
      {
        version: 1,
        workspace: this.options.workspaceRoot,
        environment: this.options.environment,
        updatedAt: iso(this.clock.now()),
        instances: [...this.instances.values()].map(instanceRecord),
      },
      (text) => this.scrubber.scrub(text),
    );
  }

  #maintain(): void {
    this.#cancelMaintenance = scheduleLogMaintenance({
      clock: this.clock,
      intervalMs: this.options.logCheckIntervalMs ?? LOG_CHECK_INTERVAL_MS,
      dir: this.layout.logsDir,
      files: () => [
        ...[...this.instances.values()].flatMap((i) => [i.logFile, i.errLogFile]),
        this.layout.eventsFile,
        this.layout.daemonLog,
      ],
      limits: () => ({
        maxBytes: LOG_MAX_BYTES,
        maxFiles: LOG_MAX_FILES,
        retentionDays: this.#retentionDays(),
        ...this.options.logLimits,
      }),
      report: (report) => {
        if (report.low && !this.#disk.low) {
          const mib = Math.round((report.freeBytes ?? 0) / 1048576);
          this.options.onNotice?.(
            `low disk space for logs in ${this.layout.logsDir}: ${mib} MiB free; keeping one rotated file per log`,
          );
        }
        this.#disk = { freeBytes: report.freeBytes, low: report.low };
      },
    });
  }

  /** The environment's `logRetentionDays`, read with the manifest (7 while the manifest cannot be read). */
  #retentionDays(): number {
    try {
      return this.#workspace().settings[this.options.environment]?.logRetentionDays ?? 7;
    } catch {
      return 7;
    }
  }
}
