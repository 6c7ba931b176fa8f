/**
 * `applyDeployPlan(plan, deps)` carries a plan out: take the lock of every target (taking over stale ones, then
 * recovering what a dead deploy left), build and check the artifacts, run gates 3 to 9, then deploy each coupled
 * group through the switch and gate 11. The lock is held until the post-deploy checks end. Every deploy is
 * recorded on its target, whatever its outcome.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sensitiveValues } from "../config/redact.js";
import { type Problem, TroError } from "../errors.js";
import type { CommandResult, Executor } from "../exec/command.js";
import { runLocal } from "../exec/local.js";
import type { ProbeResult } from "../health/probe.js";
import { probeHealth } from "../health/probe.js";
import { selectHealthTargets } from "../health/targets.js";
import { SecretScrubber } from "../logging/scrubber.js";
import { workspaceIdOf } from "../workspace/identity.js";
import type { Workspace } from "../workspace/types.js";
import { buildArtifacts } from "./build.js";
import { coupledGroup } from "./changes.js";
import { type DeployClock, isoNow, systemClock } from "./clock.js";
import { START_TIMEOUT_MS } from "./constants.js";
import { deployGroup, type Member } from "./deploy-group.js";
import type { DeployEvent } from "./events.js";
import { GATE_COMMAND_TIMEOUT_MS } from "./gates/commands.js";
import type { GateContext, HealthLevel } from "./gates/context.js";
import type { SignalParityCheck } from "./gates/parity.js";
import { runGates } from "./gates/run.js";
import type { GitRepo } from "./git.js";
import { postgresLeaseLocation } from "./lease-driver.js";
import { abortReason, holdLocks, type LockHold, lockOwner } from "./lock-hold.js";
import type { DeployPlan } from "./plan.js";
import { policyOf, recheckWindow, refusalError } from "./policy.js";
import { configDigest, type PreparedRelease, prepareRelease, renderEnvFile } from "./prepare.js";
import { recoverTarget } from "./recover.js";
import { chooseRunner, type RunnerChoice, recordRunner } from "./runner-choice.js";
import { openSession, type TargetSession } from "./session.js";
import { type DeployRecord, GATE_NUMBERS, type GateResult } from "./types.js";

export interface ApplyDeps {
  readonly workspace: Workspace;
  readonly git: GitRepo;
  /** the deployer's environment */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `user@host` */
  readonly who: string;
  readonly hostname: string;
  readonly executorFor: (host: string) => Executor;
  readonly runner?: "direct" | "supervisor";
  readonly tradeops?: readonly string[];
  readonly startTimeoutMs?: number;
  readonly onEvent?: (event: DeployEvent) => void;
  readonly scrub?: (value: string, label: string) => void;
  readonly signal?: AbortSignal;
  /** the command line, for the lock record */
  readonly command: string;
  /** run the gates and stop (`--dry-run`): no lock, no upload */
  readonly dryRun?: boolean;
  /** `tradeops gates`: like a dry run, and the phrase (gate 10) is left for deploy time */
  readonly gatesOnly?: boolean;
  /** gate 12's replay of a new strategy release (the runtime's) */
  readonly signalParity?: SignalParityCheck;
  /** `--accept-signal-changes REASON` */
  readonly acceptSignalChanges?: string;
  /** the time the window is re-checked at and records are stamped with (default: the system's) */
  readonly clock?: DeployClock;
}

export interface DeployResult {
  readonly plan: DeployPlan;
  readonly outcome: "succeeded" | "nothing" | "dry-run";
  readonly gates: readonly GateResult[];
  readonly records: readonly DeployRecord[];
}

/**
 * Applies a plan.
 * @throws TroError the plan's refusal (TRO_ERR_POLICY_REFUSED, TRO_ERR_GATE_FAILED), TRO_ERR_LOCK_HELD,
 *   TRO_ERR_GATE_FAILED (a gate or the artifact check failed; nothing was shipped), TRO_ERR_DEPLOY_FAILED (rolled back),
 *   TRO_ERR_TARGET_UNAVAILABLE
 */
export async function applyDeployPlan(plan: DeployPlan, deps: ApplyDeps): Promise<DeployResult> {
  // the plan decided everything; apply re-checks only what can change since: the clock (a blocked window may have
  // started) here and again before shipping, and the locks (taken below, watched by the heartbeat)
  const clock = deps.clock ?? systemClock;
  const policy = policyOf(deps.workspace, plan.environment);
  const closed = () => (deps.dryRun ? undefined : recheckWindow(plan, policy, new Date(clock.now())));
  if (plan.refusal && !deps.dryRun) throw refusalError(plan.refusal);
  const closedAtStart = closed();
  if (closedAtStart) throw refusalError(closedAtStart);
  if (!plan.deploys.length) return { plan, outcome: "nothing", gates: [], records: [] };
  const emit = deps.onEvent;
  // every record and the lock written on a target pass through this scrubber, fed with each secret the deploy loads
  const scrubber = new SecretScrubber();
  const learn = (value: string, label: string) => {
    scrubber.add(value, label);
    deps.scrub?.(value, label);
  };
  const learnRelease = (prepared: PreparedRelease) => {
    for (const secret of prepared.run.secretNames) learn(prepared.run.env[secret]!, `secret ${secret}`);
    if (prepared.config) for (const { key, value } of sensitiveValues(prepared.config)) learn(value, `config ${key}`);
  };
  const sessions = new Map<string, TargetSession[]>();
  // the runner recorded on each target (or --runner, or the default on a first deploy): recorded once locked
  const runnerChoices = new Map<TargetSession, RunnerChoice>();
  for (const d of plan.deploys) {
    const project = deps.workspace.projects[d.project]!;
    const list: TargetSession[] = [];
    for (const host of d.target.hosts) {
      const choice = await chooseRunner(deps.executorFor(host), d.target.path, deps.runner);
      const session = openSession({
        project,
        target: d.target,
        host,
        executor: deps.executorFor(host),
        hostname: deps.hostname,
        runner: choice.kind,
        previousRunner: choice.recorded,
        tradeops: deps.tradeops,
        scrub: (text) => scrubber.scrub(text),
        workspaceId: workspaceIdOf(deps.workspace),
        clock,
        ...(project.sendsOrders && d.target.lease === "postgres"
          ? { postgresLease: postgresLeaseLocation(deps.workspace, plan.environment, deps.env) }
          : {}),
      });
      runnerChoices.set(session, choice);
      list.push(session);
    }
    sessions.set(d.project, list);
  }
  const all = [...sessions.values()].flat();
  const owner = lockOwner(clock, {
    id: plan.id,
    who: deps.who,
    host: deps.hostname,
    command: deps.command,
    project: plan.deploys.map((d) => d.project).join(","),
    environment: plan.environment,
    release: plan.deploys[0]?.release,
  });
  let hold: LockHold | undefined;
  const held = () => hold?.held ?? [];
  const work = mkdtempSync(join(tmpdir(), "tradeops-deploy-"));
  const level = plan.healthLevel as HealthLevel;
  const startTimeoutMs = deps.startTimeoutMs ?? START_TIMEOUT_MS;
  try {
    if (!deps.dryRun) {
      hold = await holdLocks(all, owner, { clock, emit });
      for (const session of hold.held) {
        const runnerNote = await recordRunner(session.records, runnerChoices.get(session)!);
        if (runnerNote)
          emit?.({ type: "note", level: "info", message: `${session.project.name} on ${session.host}: ${runnerNote}` });
      }
      for (const session of hold.held) {
        const recovered = await recoverTarget(session, {
          level,
          timeoutMs: startTimeoutMs,
          who: deps.who,
          reason: "found a deploy left in progress",
        });
        if (recovered)
          emit?.({
            type: "note",
            level: "warn",
            message: `recovered ${session.project.name} on ${session.host}: ${recovered.reason}`,
          });
      }
    }
    const artifacts = await buildArtifacts(plan, deps.workspace, deps.git, work, emit, deps.env, clock);
    const prepared = new Map<string, PreparedRelease>();
    const ctx: GateContext = {
      workspace: deps.workspace,
      environment: plan.environment,
      policy,
      git: deps.git,
      deployed: plan.deploys.map((d) => d.project),
      tested: plan.tested,
      bases: plan.bases,
      worktree: plan.allowDirty && plan.dirty.length > 0,
      artifacts,
      env: deps.env,
      runProjectCommand: (line, cwd) => runProjectCommand(line, cwd, deps.env),
      probeEnvironment: (environment, project, lvl) => probeEnvironment(deps.workspace, environment, project, lvl),
      probeTarget: async (project, lvl) => {
        const session = sessions.get(project)?.[0];
        if (!session || !(await session.records.readState()).active) return undefined;
        return session.probePublic(lvl);
      },
      prepared,
      activeRelease: async (project) => {
        const session = sessions.get(project)?.[0];
        const state = session ? await session.records.readState() : undefined;
        const release = state?.active ? state.colors[state.active]?.release : undefined;
        if (!session || !release) return undefined;
        const root = session.executor.local ? session.layout.release(release) : undefined;
        return { release, host: session.host, ...(root ? { root } : {}) };
      },
      ...(deps.signalParity ? { signalParity: deps.signalParity } : {}),
      ...(deps.acceptSignalChanges ? { acceptSignalChanges: deps.acceptSignalChanges } : {}),
      scrub: learn,
    };
    const skips = new Map(plan.skips.map((s) => [s.gate, s.reason] as const));
    const gates = await runGates(ctx, {
      gates: GATE_NUMBERS.filter((g) => g !== 11),
      decided: new Map(
        plan.decided.map((d) =>
          deps.gatesOnly && d.gate === 10 && d.verdict.status === "fail"
            ? ([d.gate, { status: "skip", reason: `asked at deploy time: ${d.verdict.reason}` }] as const)
            : ([d.gate, d.verdict] as const),
        ),
      ),
      skips,
      stopOnFailure: !deps.dryRun,
      onEvent: emit,
    });
    const failed = gates.find((g) => g.status === "fail");
    if (deps.dryRun) return { plan, outcome: "dry-run", gates, records: [] };
    const records: DeployRecord[] = [];
    const signal = hold ? AbortSignal.any([hold.lost, ...(deps.signal ? [deps.signal] : [])]) : deps.signal;
    const interrupted = signal?.aborted;
    const late = closed();
    if (failed || interrupted || late) {
      // a gate before 7 may have failed with a secret in its output: learn the secrets before recording it
      for (const d of plan.deploys) {
        const known = prepared.get(d.project);
        if (known) learnRelease(known);
        else
          await prepareRelease(deps.workspace, d.project, plan.environment, deps.env).then(
            learnRelease,
            () => undefined,
          );
      }
      for (const session of held()) {
        const record = newRecord(plan, session, deps, gates);
        record.outcome = failed ? "failed" : interrupted ? "interrupted" : "refused";
        record.finishedAt = isoNow(clock);
        await session.records.appendHistory(record);
      }
      if (failed) throw gateFailure(failed);
      if (interrupted)
        throw new TroError("TRO_ERR_DEPLOY_FAILED", `${abortReason(signal)} during the gates; nothing was shipped.`, {
          hint: "Deploy again when ready.",
        });
      throw refusalError(late!);
    }
    for (const group of groupsOf(plan, deps.workspace)) {
      const members: Member[] = [];
      for (const d of group) {
        const release =
          prepared.get(d.project) ?? (await prepareRelease(deps.workspace, d.project, plan.environment, deps.env));
        learnRelease(release);
        const { run, config } = release;
        for (const session of sessions.get(d.project)!) {
          const salt = await digestSalt(session);
          const record = newRecord(plan, session, deps, gates);
          records.push(record);
          members.push({
            planned: d,
            session,
            record,
            artifact: artifacts.get(d.project)!,
            envFile: renderEnvFile(run),
            configDigest: configDigest(config, salt),
            configHash: config?.hash,
          });
        }
      }
      await deployGroup(members, {
        level,
        monitorSeconds: plan.monitorSeconds,
        startTimeoutMs,
        skipMonitor: skips.get(11),
        emit,
        signal,
      });
    }
    return { plan, outcome: "succeeded", gates, records };
  } finally {
    await hold?.release();
    for (const session of all) await session.lease?.close?.().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

function newRecord(
  plan: DeployPlan,
  session: TargetSession,
  deps: ApplyDeps,
  gates: readonly GateResult[],
): DeployRecord {
  const planned = plan.deploys.find((d) => d.project === session.project.name)!;
  return {
    id: plan.id,
    kind: "deploy",
    project: session.project.name,
    environment: plan.environment,
    host: session.host,
    release: planned.release,
    previous: planned.active?.release,
    commit: plan.head,
    who: deps.who,
    startedAt: isoNow(deps.clock ?? systemClock),
    gates: [...gates],
    steps: [],
    emergency: plan.window.emergency,
    ...(deps.acceptSignalChanges ? { acceptedSignalChanges: deps.acceptSignalChanges } : {}),
    skipped: plan.skips,
    allowDirty: plan.allowDirty && plan.dirty.length ? plan.dirty : undefined,
    color: planned.color,
  };
}

function gateFailure(failed: GateResult): TroError {
  const problems: Problem[] = (failed.details ?? []).map((message) => ({ message }));
  return new TroError("TRO_ERR_GATE_FAILED", `Gate ${failed.gate} (${failed.name}) failed: ${failed.reason}.`, {
    problems,
    hint: `Nothing was shipped. Fix the cause and deploy again${failed.gate === 8 ? " (or remove the lines named above)" : ""}.`,
  });
}

/** Coupled groups in plan order: each deploys, monitors and rolls back as one. */
function groupsOf(plan: DeployPlan, workspace: Workspace): DeployPlan["deploys"][] {
  const groups = new Map<string, DeployPlan["deploys"][number][]>();
  for (const d of plan.deploys) {
    const key = coupledGroup(workspace, d.project).join(",");
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

async function runProjectCommand(
  line: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CommandResult> {
  return runLocal({ argv: ["sh", "-c", line], cwd, timeoutMs: GATE_COMMAND_TIMEOUT_MS }, { baseEnv: env, group: true });
}

async function probeEnvironment(
  workspace: Workspace,
  environment: DeployPlan["environment"],
  project: string,
  level: HealthLevel,
): Promise<ProbeResult[]> {
  const selection = selectHealthTargets(workspace, environment, project);
  return Promise.all(selection.targets.map((target) => probeHealth(target, { level })));
}

async function digestSalt(session: TargetSession): Promise<string> {
  const existing = (await session.files.read(session.layout.digestSalt))?.trim();
  if (existing) return existing;
  const salt = randomBytes(32).toString("hex");
  await session.files.write(session.layout.digestSalt, `${salt}\n`);
  return salt;
}
