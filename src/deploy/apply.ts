import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sensitiveValues } from "../config/redact.js";
import { TroError } from "../errors.js";
import type { Executor } from "../exec/command.js";
import { SecretScrubber } from "../logging/scrubber.js";
import type { Workspace } from "../workspace/types.js";
import { digestSalt, gateFailure, groupsOf, newRecord, probeEnvironment, runProjectCommand } from "./apply-parts.js";
import { buildArtifacts } from "./build.js";
import { type DeployClock, isoNow, systemClock } from "./clock.js";
import { START_TIMEOUT_MS } from "./constants.js";
import { deployGroup, type Member } from "./deploy-group.js";
import type { DeployEvent } from "./events.js";
import type { GateContext, HealthLevel } from "./gates/context.js";
import type { SignalParityCheck } from "./gates/parity.js";
import { runGates } from "./gates/run.js";
import type { GitRepo } from "./git.js";
import { abortReason, holdLocks, type LockHold, lockOwner } from "./lock-hold.js";
import { openHosts } from "./open-hosts.js";
import type { DeployPlan } from "./plan.js";
import { policyOf, recheckWindow, refusalError } from "./policy.js";
import { configDigest, type PreparedRelease, prepareRelease, renderEnvFile } from "./prepare.js";
import { recoverTarget } from "./recover.js";
import { type RunnerChoice, recordRunner } from "./runner-choice.js";
import type { TargetSession } from "./session.js";
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
  const runnerChoices = new Map<TargetSession, RunnerChoice>();
  const hostsOptions = { ...deps, environment: plan.environment, scrub: (t: string) => scrubber.scrub(t), clock };
  for (const d of plan.deploys) {
    const opened = await openHosts(hostsOptions, d.target);
    for (const o of opened) runnerChoices.set(o.session, o.choice);
    sessions.set(
      d.project,
      opened.map((o) => o.session),
    );
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
          await prepareRelease(deps.workspace, d.project, plan.environment, deps.env, {
            secrets: d.target.secrets,
          }).then(learnRelease, () => undefined);
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
    for (const group of groupsOf(plan)) {
      const members: Member[] = [];
      for (const d of group) {
        const release =
          prepared.get(d.project) ??
          (await prepareRelease(deps.workspace, d.project, plan.environment, deps.env, { secrets: d.target.secrets }));
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
