/** What `applyDeployPlan` needs besides its steps: a deploy's record, a gate's failure, coupled groups, the gates' commands. */
import { randomBytes } from "node:crypto";
import { type Problem, TroError } from "../errors.js";
import type { CommandResult } from "../exec/command.js";
import { runLocal } from "../exec/local.js";
import type { ProbeResult } from "../health/probe.js";
import { probeHealth } from "../health/probe.js";
import { selectHealthTargets } from "../health/targets.js";
import type { Workspace } from "../workspace/types.js";
import type { ApplyDeps } from "./apply.js";
import { isoNow, systemClock } from "./clock.js";
import { GATE_COMMAND_TIMEOUT_MS } from "./gates/commands.js";
import type { HealthLevel } from "./gates/context.js";
import type { DeployPlan } from "./plan.js";
import type { TargetSession } from "./session.js";
import type { DeployRecord, GateResult } from "./types.js";

export function newRecord(
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

/** What to do about a failed gate, where "fix it" is not the whole answer. */
const NEXT_STEP: Partial<Record<number, string>> = {
  // a commit already made stays in the range since the last deploy: fixing the code does not take it out
  2: "A commit already made stays in the range: deploy from after it with --since COMMIT, or skip the gate with --skip-gate 2 --reason TEXT where the policy allows.",
  8: "Fix the cause and deploy again (or remove the lines named above).",
};

/** A service that serves no endpoint at the policy's level is not broken: it needs to be judged by what it serves. */
const NOT_OFFERED =
  "The service serves no endpoint at that level (NOT_OFFERED): point its health.detailedPath (level 2) or deepPath (level 3) at one it serves (its /health, when that is all it has), or lower the policy's healthLevel.";

export function gateFailure(failed: GateResult): TroError {
  const problems: Problem[] = (failed.details ?? []).map((message) => ({ message }));
  const notOffered = failed.details?.some((d) => d.includes("NOT_OFFERED"));
  return new TroError("TRO_ERR_GATE_FAILED", `Gate ${failed.gate} (${failed.name}) failed: ${failed.reason}.`, {
    problems,
    hint: `Nothing was shipped. ${notOffered ? NOT_OFFERED : (NEXT_STEP[failed.gate] ?? "Fix the cause and deploy again.")}`,
  });
}

/** Coupled groups in plan order: each deploys, monitors and rolls back as one. */
export function groupsOf(plan: DeployPlan): DeployPlan["deploys"][] {
  const groups = new Map<string, DeployPlan["deploys"][number][]>();
  for (const d of plan.deploys) {
    const key = d.group.join(",");
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

export async function runProjectCommand(
  line: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CommandResult> {
  return runLocal({ argv: ["sh", "-c", line], cwd, timeoutMs: GATE_COMMAND_TIMEOUT_MS }, { baseEnv: env, group: true });
}

export async function probeEnvironment(
  workspace: Workspace,
  environment: DeployPlan["environment"],
  project: string,
  level: HealthLevel,
): Promise<ProbeResult[]> {
  const selection = selectHealthTargets(workspace, environment, project);
  return Promise.all(selection.targets.map((target) => probeHealth(target, { level })));
}

export async function digestSalt(session: TargetSession): Promise<string> {
  const existing = (await session.files.read(session.layout.digestSalt))?.trim();
  if (existing) return existing;
  const salt = randomBytes(32).toString("hex");
  await session.files.write(session.layout.digestSalt, `${salt}\n`);
  return salt;
}
