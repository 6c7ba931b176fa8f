/**
 * Gate 12, signal parity: before the switch, the new release of a strategy replays the bars the active release
 * saw, and its signals are diffed against the active release's recorded ones. Differences block where the policy
 * says so (production by default) unless the operator accepts them with a reason, which is recorded.
 */
import type { EnvironmentName } from "../../environment/names.js";
import { fail, type GateContext, type GateVerdict, pass, skip } from "./context.js";

/** What the runtime answers (see src/runtime/parity.ts); the deploy only reads it. */
export interface SignalParityResult {
  readonly status: "no-records" | "same" | "diverged";
  readonly activeRelease: string;
  readonly store: string;
  readonly data: string;
  readonly window?: { readonly from: string; readonly to: string };
  readonly diff?: {
    readonly a: number;
    readonly b: number;
    readonly same: number;
    readonly firstDivergence: { readonly index: number; readonly a: string | null; readonly b: string | null } | null;
  };
}

export interface SignalParityRequest {
  /** the new release's staged workspace (the artifact's directory) */
  readonly workspaceDir: string;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly activeRelease: string;
  readonly activeRoot: string;
  readonly days: number;
}

/** Replays a new release against the active one's records: the runtime's job, handed to the deploy. */
export type SignalParityCheck = (request: SignalParityRequest) => Promise<SignalParityResult>;

/** The release a project's target serves now, and its directory when this machine can read it (local hosts). */
export interface ActiveRelease {
  readonly release: string;
  readonly host: string;
  /** undefined on a remote host */
  readonly root?: string;
}

/** Whether differences fail the gate: the policy's `signalChanges`, else block in production only. */
export function parityBlocks(policy: GateContext["policy"], environment: EnvironmentName): boolean {
  return (policy.signalChanges ?? (environment === "production" ? "block" : "warn")) === "block";
}

export async function parityGate(ctx: GateContext): Promise<GateVerdict> {
  const strategies = ctx.deployed.filter((p) => ctx.workspace.projects[p]?.kind === "strategy");
  if (!strategies.length) return skip("no strategy in this deploy");
  if (!ctx.signalParity) return skip("this deploy was started without a signal replay");
  const days = ctx.policy.signalParityDays;
  const passed: string[] = [];
  const notes: string[] = [];
  const diverged: string[] = [];
  const details: string[] = [];
  const unreplayed: string[] = [];
  for (const project of strategies) {
    const active = await ctx.activeRelease(project);
    if (!active) {
      passed.push(`${project}: nothing deployed yet, no recorded decisions to compare`);
      continue;
    }
    if (!active.root) {
      notes.push(
        `${project}: the active release ${active.release} runs on ${active.host}, whose signal log this machine does not read`,
      );
      continue;
    }
    const artifact = ctx.artifacts.get(project);
    if (!artifact) {
      notes.push(`${project}: no artifact was built to replay`);
      continue;
    }
    let result: SignalParityResult;
    try {
      result = await ctx.signalParity({
        workspaceDir: artifact.dir,
        project,
        environment: ctx.environment,
        env: ctx.env,
        activeRelease: active.release,
        activeRoot: active.root,
        days,
      });
    } catch (error) {
      // no replay, no comparison: a blocking policy fails, a warning one says so
      const why = String((error as Error)?.message ?? error).split("\n")[0];
      unreplayed.push(`${project}: the new release could not replay the active release's window: ${why}`);
      continue;
    }
    const window = result.window ? ` ${result.window.from.slice(0, 16)} → ${result.window.to.slice(0, 16)}` : "";
    if (result.status === "no-records") {
      passed.push(
        `${project}: the active release ${active.release} has recorded no decisions yet in ${result.store}; nothing to compare`,
      );
    } else if (result.status === "same") {
      passed.push(
        `${project}: ${result.diff?.a ?? 0} decisions on ${result.data}${window}, all the same as ${active.release}'s`,
      );
    } else {
      const d = result.diff!;
      const first = d.firstDivergence!;
      diverged.push(project);
      details.push(
        `${project}: first divergent decision #${first.index + 1}: active ${active.release} ${first.a ?? "(no more decisions)"}, new release ${first.b ?? "(no more decisions)"}`,
        `${project}: ${d.same} of ${d.a} recorded decisions agree before it (new release: ${d.b}) on ${result.data}${window}`,
      );
    }
  }
  const blocks = parityBlocks(ctx.policy, ctx.environment);
  if (unreplayed.length && !ctx.acceptSignalChanges && blocks)
    return fail(`the signals of ${strategies.join(", ")} could not be compared`, unreplayed);
  notes.push(...unreplayed);
  const summary = [...passed, ...notes].join("; ");
  if (!diverged.length) return notes.length && !passed.length ? skip(summary) : pass(summary);
  const what = `signals of ${diverged.join(", ")} differ from the active release's`;
  if (ctx.acceptSignalChanges) return pass(`${what}; accepted by the operator: ${ctx.acceptSignalChanges}`, details);
  if (!blocks) return pass(`${what} (the ${ctx.environment} policy only warns)`, details);
  return fail(what, [...details, `pass --accept-signal-changes "REASON" when the change is intended (recorded)`]);
}
