/**
 * `deploy` as one library call for the CLI (and scripts): gather → plan → (ask for the phrase) → apply, with the
 * executors opened per host and closed at the end. `gatesOnly` runs the gates without lock or upload.
 */
import { randomBytes } from "node:crypto";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Executor } from "../exec/command.js";
import { executorPool } from "../exec/create.js";
import type { Workspace } from "../workspace/types.js";
import { applyDeployPlan, type DeployResult } from "./apply.js";
import { type DeployClock, systemClock } from "./clock.js";
import type { DeployEvent } from "./events.js";
import type { SignalParityCheck } from "./gates/parity.js";
import { gatherDeployState } from "./gather.js";
import { openGit } from "./git.js";
import { type DeployPlan, type DeployRequest, planDeploy } from "./plan.js";
import { checkSkips, planPolicy, policyOf, refusalError } from "./policy.js";

export interface DeployOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  /** a project or `all` */
  readonly which: string;
  readonly confirm?: string;
  /** the reason of an emergency deploy (overrides blocked days and hours; recorded) */
  readonly emergency?: string;
  readonly skipGates?: readonly number[];
  readonly skipReason?: string;
  readonly allowDirty?: boolean;
  readonly since?: string;
  /** `--dry-run`: gates and plan only */
  readonly dryRun?: boolean;
  /** `tradeops gates`: the gates alone, every one of them even after a failure */
  readonly gatesOnly?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly who: string;
  readonly hostname: string;
  readonly command: string;
  /** the time the policy is judged at and records are stamped with (default: the system's) */
  readonly clock?: DeployClock;
  /** judge blocked days and hours as of this moment (`gates --at`, `--dry-run` only: a deploy uses the clock) */
  readonly at?: Date;
  readonly startTimeoutMs?: number;
  readonly runner?: "direct" | "supervisor";
  readonly tradeops?: readonly string[];
  readonly onEvent?: (event: DeployEvent) => void;
  readonly onPlan?: (plan: DeployPlan) => void;
  readonly scrub?: (value: string, label: string) => void;
  readonly signal?: AbortSignal;
  /** asks for the confirmation phrase on a terminal; undefined when nobody can answer */
  readonly ask?: (phrase: string) => Promise<string | undefined>;
  /** gate 12's replay of a new strategy release against the active one's recorded signals */
  readonly signalParity?: SignalParityCheck;
  /** `--accept-signal-changes REASON`: gate 12 passes on differences, the reason recorded with the gate */
  readonly acceptSignalChanges?: string;
  /** the executor of a host (default: local, or SSH through the system's OpenSSH) */
  readonly executorFor?: (host: string) => Executor;
}

/**
 * Plans and applies a deploy.
 * @throws TroError TRO_ERR_USAGE, TRO_ERR_PROJECT_UNKNOWN, TRO_ERR_POLICY_REFUSED, TRO_ERR_LOCK_HELD,
 *   TRO_ERR_GATE_FAILED, TRO_ERR_DEPLOY_FAILED, TRO_ERR_TARGET_UNAVAILABLE
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const { workspace, environment } = options;
  const policy = policyOf(workspace, environment);
  const skips = checkSkips(policy, environment, options.skipGates ?? [], options.skipReason);
  const git = openGit(workspace.root, options.env);
  const executors = executorPool({ env: options.env });
  const executorFor = options.executorFor ?? executors.executorFor;
  const clock = options.clock ?? systemClock;
  try {
    const rehearsal = options.dryRun || options.gatesOnly;
    if (options.at && !rehearsal)
      throw new TroError("TRO_ERR_USAGE", "--at only rehearses: a real deploy is judged by the real clock.", {
        hint: "Use it with `tradeops gates` or `deploy --dry-run`.",
      });
    let request: DeployRequest = {
      which: options.which,
      environment,
      confirm: options.confirm,
      emergency: options.emergency,
      skips,
      allowDirty: Boolean(options.allowDirty),
      since: options.since,
    };
    // the plan's policy part first: a blocked day or a wrong phrase refuses before any target is read
    const at = () => options.at ?? new Date(clock.now());
    let policyPlan = planPolicy(policy, request, at());
    if (!rehearsal && policyPlan.ask && options.ask) {
      request = { ...request, confirm: await options.ask(policyPlan.ask) };
      policyPlan = planPolicy(policy, request, at());
    }
    if (!rehearsal && policyPlan.refusal) throw refusalError(policyPlan.refusal);
    const state = await gatherDeployState({
      workspace,
      request,
      policy,
      git,
      now: new Date(clock.now()),
      windowAt: options.at,
      nonce: randomBytes(2).toString("hex"),
      hostname: options.hostname,
      executorFor,
    });
    const plan = planDeploy(state);
    options.onPlan?.(plan);
    return await applyDeployPlan(plan, {
      workspace,
      git,
      env: options.env,
      who: options.who,
      hostname: options.hostname,
      executorFor,
      runner: options.runner,
      tradeops: options.tradeops,
      startTimeoutMs: options.startTimeoutMs,
      onEvent: options.onEvent,
      scrub: options.scrub,
      signal: options.signal,
      command: options.command,
      dryRun: options.dryRun || options.gatesOnly,
      gatesOnly: options.gatesOnly,
      signalParity: options.signalParity,
      acceptSignalChanges: options.acceptSignalChanges,
      clock,
    });
  } finally {
    await executors.close();
  }
}
