/**
 * `planDeploy(state) → DeployPlan` (changesets' assembleReleasePlan): pure and synchronous. Everything it needs —
 * git's answers, each target's records, the time, the flags — is in the state; it decides which projects deploy
 * and why, gates 1, 2 and 10, the policy's window, the release ids, colours and ports, and the steps.
 * `deploy --dry-run` prints it; `applyDeployPlan` carries it out.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { PolicyManifest } from "../workspace/schema.js";
import type { Workspace } from "../workspace/types.js";
import { analyzeChanges, commitsTouching, coupledGroup, findMixedCommits } from "./changes.js";
import { portlessSteps } from "./deploy-style.js";
import type { GateVerdict } from "./gates/context.js";
import type { CommitInfo } from "./git.js";
import type { LockStatus } from "./lock.js";
import { type ConfirmationVerdict, planPolicy, type Refusal, type WindowVerdict } from "./policy.js";
import type { TargetState } from "./records.js";
import { type SharedVersion, unbumped } from "./shared-version.js";
import { deploySlots, recordedSlot } from "./slots.js";
import type { Color, GateNumber, ReleaseRecord, ResolvedTarget } from "./types.js";

export const PLAN_VERSION = 1;

export interface DeployRequest {
  /** a project name or `all` */
  readonly which: string;
  readonly environment: EnvironmentName;
  readonly confirm?: string;
  readonly emergency?: string;
  readonly skips: ReadonlyMap<GateNumber, string>;
  readonly allowDirty: boolean;
  readonly since?: string;
}

/** What one target said when asked, and what git says about its project since its last deploy. */
export interface ProjectSnapshot {
  readonly project: string;
  readonly target: ResolvedTarget;
  readonly releases: readonly ReleaseRecord[];
  readonly state: TargetState;
  readonly lock: LockStatus;
  /** the commit diffs start from; undefined for a first deploy */
  readonly base?: string;
  /** where the base came from, in words */
  readonly baseNote: string;
  readonly files: readonly string[];
  readonly commits: readonly CommitInfo[];
  /** shared paths changed since the base, with their package version before and after */
  readonly sharedVersions?: readonly SharedVersion[];
}

export interface DeployState {
  readonly request: DeployRequest;
  readonly workspace: Workspace;
  readonly policy: PolicyManifest;
  readonly now: Date;
  /** the moment blocked days and hours are judged at (`--at` on a rehearsal); default `now` */
  readonly windowAt?: Date;
  readonly head: string;
  /** tracked files changed in the working tree, below the paths the artifacts draw from */
  readonly dirty: readonly string[];
  readonly snapshots: Readonly<Record<string, ProjectSnapshot>>;
  /** a short random string, for the deploy id */
  readonly nonce: string;
}

export interface PlannedProject {
  readonly project: string;
  readonly why: string;
  readonly target: ResolvedTarget;
  readonly release: string;
  readonly color: Color;
  readonly port: number;
  readonly active?: { readonly color: Color; readonly release: string; readonly port: number };
  readonly sendsOrders: boolean;
  /** the coupled group it deploys, monitors and rolls back with (itself alone when uncoupled) */
  readonly group: readonly string[];
  readonly base?: string;
  readonly steps: readonly string[];
}

export interface DeployPlan {
  readonly version: typeof PLAN_VERSION;
  readonly id: string;
  readonly environment: EnvironmentName;
  readonly requested: string;
  readonly head: string;
  readonly dirty: readonly string[];
  readonly allowDirty: boolean;
  readonly window: WindowVerdict & { readonly emergency?: string };
  readonly confirmation: ConfirmationVerdict;
  readonly refusal?: Refusal;
  readonly skips: readonly { readonly gate: GateNumber; readonly reason: string }[];
  /** gates 1, 2 and 10 as decided here */
  readonly decided: readonly { readonly gate: GateNumber; readonly verdict: GateVerdict }[];
  readonly deploys: readonly PlannedProject[];
  readonly tested: readonly string[];
  readonly bases: Readonly<Record<string, string | undefined>>;
  readonly healthLevel: 1 | 2 | 3;
  readonly monitorSeconds: number;
  readonly warnings: readonly string[];
}

/** Plans a deploy. Pure: the same state always gives the same plan. */
export function planDeploy(state: DeployState): DeployPlan {
  const { request, policy } = state;
  const env = request.environment;
  const warnings: string[] = [];
  const selection = select(state);
  const tested = testedProjects(
    state,
    selection.map((s) => s.project),
  );
  const decided: { gate: GateNumber; verdict: GateVerdict }[] = [
    { gate: 1, verdict: identifyGate(state, selection, tested) },
    {
      gate: 2,
      verdict: scopeGate(
        state,
        selection.map((s) => s.project),
      ),
    },
  ];
  const { window, confirmation, refusal: policyRefusal } = planPolicy(policy, request, state.windowAt ?? state.now);
  decided.push({ gate: 10, verdict: confirmGate(confirmation, env) });
  if (request.emergency && !window.blocked)
    warnings.push(`--emergency given outside any blocked window (${window.local}); recorded anyway`);
  if (state.policy.sharedVersionBump !== "fail")
    for (const note of sharedVersionNotes(state, selection)) warnings.push(note);
  if (state.dirty.length && request.allowDirty)
    warnings.push(`deploying uncommitted changes (--allow-dirty): ${state.dirty.join(", ")}`);
  const deploys = selection.map((s) => plannedProject(state, s.project, s.why));
  for (const d of deploys) {
    const lock = state.snapshots[d.project]!.lock;
    if (lock.held && lock.stale)
      warnings.push(
        `${d.project}: the deploy lock is stale (${lock.staleReason}); this deploy takes it over and recovers the target`,
      );
  }
  return {
    version: PLAN_VERSION,
    id: `${compactTime(state.now)}-${state.nonce}`,
    environment: env,
    requested: request.which,
    head: state.head,
    dirty: state.dirty,
    allowDirty: request.allowDirty,
    window,
    confirmation,
    refusal: dirtyRefusal(state) ?? policyRefusal,
    skips: [...request.skips].map(([gate, reason]) => ({ gate, reason })),
    decided,
    deploys,
    tested,
    bases: Object.fromEntries(selection.map((s) => [s.project, state.snapshots[s.project]!.base])),
    healthLevel: policy.healthLevel,
    monitorSeconds: policy.monitorSeconds,
    warnings,
  };
}

interface Selected {
  readonly project: string;
  readonly why: string;
}

/** The projects this deploy ships: the named one and its coupled group, or every changed project for `all`. */
function select(state: DeployState): Selected[] {
  const { workspace, request, snapshots } = state;
  const out = new Map<string, string>();
  const add = (project: string, why: string) => {
    for (const member of coupledGroup(workspace, project)) {
      if (snapshots[member] && !out.has(member)) out.set(member, member === project ? why : `coupled with ${project}`);
    }
  };
  if (request.which !== "all") {
    add(request.which, "named");
  } else {
    for (const snap of Object.values(snapshots)) {
      if (!snap.base) add(snap.project, `first deploy to ${request.environment}`);
      else {
        const why = analyzeChanges(workspace, snap.files).reasons[snap.project];
        if (why) add(snap.project, `${why} since ${snap.base.slice(0, 7)}`);
      }
    }
  }
  return [...out].map(([project, why]) => ({ project, why }));
}

/** Gates 3–5 run for the deployed projects' groups, and for every project when a shared path changed. */
function testedProjects(state: DeployState, deployed: readonly string[]): string[] {
  const { workspace, snapshots } = state;
  const names = new Set<string>();
  for (const p of deployed) for (const m of coupledGroup(workspace, p)) names.add(m);
  const sharedChanged = deployed.some((p) => analyzeChanges(workspace, snapshots[p]?.files ?? []).sharedFiles.length);
  if (sharedChanged) for (const p of Object.keys(workspace.projects)) names.add(p);
  return [...names].sort();
}

function identifyGate(state: DeployState, selection: readonly Selected[], tested: readonly string[]): GateVerdict {
  if (!selection.length) return { status: "pass", reason: "nothing changed since the last deploy of each project" };
  const details = selection.map((s) => {
    const note = state.snapshots[s.project]!.baseNote;
    return `${s.project}: ${s.why}${note === s.why ? "" : ` (${note})`}`;
  });
  const shared = selection.flatMap(
    (s) => analyzeChanges(state.workspace, state.snapshots[s.project]!.files).sharedFiles,
  );
  if (shared.length)
    details.push(
      `shared path changed (${[...new Set(shared)].join(", ")}): every project is tested: ${tested.join(", ")}`,
    );
  const reason = `deploying ${selection.map((s) => s.project).join(", ")}`;
  const notBumped = sharedVersionNotes(state, selection);
  if (notBumped.length && state.policy.sharedVersionBump === "fail")
    return {
      status: "fail",
      reason: `${reason}; a shared package changed without a version bump`,
      details: [...details, ...notBumped],
    };
  if (notBumped.length) details.push(...notBumped.map((n) => `warning: ${n}`));
  return { status: "pass", reason, details };
}

/** Shared paths changed under an unchanged version, once each, unless the policy turns the rule off. */
export function sharedVersionNotes(state: DeployState, selection: readonly Selected[]): string[] {
  if (state.policy.sharedVersionBump === "off") return [];
  const versions = selection.flatMap((s) => state.snapshots[s.project]!.sharedVersions ?? []);
  return [...new Set(unbumped(versions))];
}

function scopeGate(state: DeployState, deployed: readonly string[]): GateVerdict {
  const commits = new Map<string, CommitInfo>();
  for (const p of deployed) for (const c of state.snapshots[p]!.commits) commits.set(c.sha, c);
  const mixed = findMixedCommits(state.workspace, commitsTouching(state.workspace, [...commits.values()], deployed));
  if (mixed.length) {
    return {
      status: "fail",
      reason: `${mixed.length} commit${mixed.length === 1 ? "" : "s"} mix${mixed.length === 1 ? "es" : ""} unrelated projects`,
      details: mixed.map(
        (m) => `${m.sha.slice(0, 7)} "${m.subject}" touches ${m.groups.map((g) => g.join("+")).join(" and ")}`,
      ),
    };
  }
  const groups = new Set(deployed.map((p) => coupledGroup(state.workspace, p).join("+")));
  return {
    status: "pass",
    reason: `${[...groups].join("; ")}: one project or coupled group per deploy, no mixed commit`,
  };
}

function confirmGate(confirmation: ConfirmationVerdict, env: EnvironmentName): GateVerdict {
  if (!confirmation.required) return { status: "pass", reason: `the ${env} policy asks for no confirmation phrase` };
  if (confirmation.ok) return { status: "pass", reason: "the exact confirmation phrase was given" };
  return { status: "fail", reason: `the ${env} policy needs the exact phrase "${confirmation.phrase}"` };
}

function dirtyRefusal(state: DeployState): Refusal | undefined {
  if (!state.dirty.length || state.request.allowDirty) return undefined;
  return {
    code: "TRO_ERR_GATE_FAILED",
    message: `The working tree has uncommitted changes that would ship: ${state.dirty.join(", ")}.`,
    hint: "Commit or stash them; --allow-dirty deploys them anyway (recorded).",
  };
}

function plannedProject(state: DeployState, project: string, why: string): PlannedProject {
  const snap = state.snapshots[project]!;
  const definition = state.workspace.projects[project]!;
  const release = releaseId(state, snap);
  const { from, to } = deploySlots(snap.target, release, recordedSlot(snap.state));
  const sendsOrders = definition.sendsOrders;
  const steps = [
    "upload",
    ...(snap.target.secrets === "host" ? ["secrets"] : []),
    ...(definition.commands.install ? ["install"] : []),
    ...(definition.commands.migrate ? ["migrate"] : []),
    "start",
    "switch",
    ...(sendsOrders ? ["handoff"] : []),
    "monitor",
    "finish",
  ];
  return {
    project,
    why,
    target: snap.target,
    release,
    color: to.color,
    port: to.port,
    active: from,
    sendsOrders,
    group: coupledGroup(state.workspace, project),
    base: snap.base,
    steps: snap.target.style
      ? portlessSteps(snap.target.style, sendsOrders, definition.commands, snap.target.secrets)
      : steps,
  };
}

/** `<utc-timestamp>-<sha>` (SPEC §2), `-dirty` for uncommitted changes, `.N` when that id exists already. */
function releaseId(state: DeployState, snap: ProjectSnapshot): string {
  const id = `${compactTime(state.now).slice(0, 15)}Z-${state.head.slice(0, 7)}${state.dirty.length ? "-dirty" : ""}`;
  const taken = new Set(snap.releases.map((r) => r.id));
  if (!taken.has(id)) return id;
  let n = 2;
  while (taken.has(`${id}.${n}`)) n++;
  return `${id}.${n}`;
}

/** `20261122T101500123` (UTC, milliseconds). */
function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(".", "").replace("Z", "");
}
