/** What the gates read: the plan's decisions, the workspace, git, and the injected ways to run and probe. */
import type { EnvironmentName } from "../../environment/names.js";
import type { CommandResult } from "../../exec/command.js";
import type { ProbeResult } from "../../health/probe.js";
import type { PolicyManifest } from "../../workspace/schema.js";
import type { Workspace } from "../../workspace/types.js";
import type { ArtifactManifest } from "../artifact.js";
import type { GitRepo } from "../git.js";
import type { PreparedRelease } from "../prepare.js";
import type { GateResult } from "../types.js";
import type { ActiveRelease, SignalParityCheck } from "./parity.js";

export type HealthLevel = 1 | 2 | 3;

export interface GateContext {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly policy: PolicyManifest;
  readonly git: GitRepo;
  /** projects being deployed */
  readonly deployed: readonly string[];
  /** projects whose tests, lint and build run (the deployed group, or every project after a shared change) */
  readonly tested: readonly string[];
  /** per deployed project: the commit its diff starts from (undefined for a first deploy) */
  readonly bases: Readonly<Record<string, string | undefined>>;
  /** compare with the working tree instead of HEAD (`--allow-dirty`) */
  readonly worktree: boolean;
  /** per deployed project: what its artifact holds (gate 7 scans it, gate 8 reads only its files) */
  readonly artifacts: ReadonlyMap<
    string,
    { readonly manifest: ArtifactManifest; readonly tarball: string; readonly dir: string }
  >;
  /** the deployer's environment (secrets from `env:` sources, PATH for the project's commands) */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** runs a project command (a shell line) on this machine */
  runProjectCommand(line: string, cwd: string): Promise<CommandResult>;
  /** probes a project's public endpoint in an environment at a level */
  probeEnvironment(environment: EnvironmentName, project: string, level: HealthLevel): Promise<ProbeResult[]>;
  /** probes the target's public port (undefined: nothing is deployed there yet) */
  probeTarget(project: string, level: HealthLevel): Promise<ProbeResult | undefined>;
  /** the prepared run environment of each deployed project, filled by gate 7 for the upload */
  readonly prepared: Map<string, PreparedRelease>;
  /** the release a project's target serves now (gate 12), undefined when nothing is deployed there */
  activeRelease(project: string): Promise<ActiveRelease | undefined>;
  /** replays a new strategy release against the active one's recorded signals (gate 12) */
  readonly signalParity?: SignalParityCheck;
  /** `--accept-signal-changes REASON`: gate 12 passes on differences, with the reason recorded */
  readonly acceptSignalChanges?: string;
  /** hands every secret value to whoever scrubs output */
  scrub(value: string, label: string): void;
}

/** A gate's verdict before its duration is measured. */
export type GateVerdict = Omit<GateResult, "durationMs" | "name" | "gate">;

export const pass = (reason: string, details?: readonly string[]): GateVerdict => ({ status: "pass", reason, details });
export const fail = (reason: string, details?: readonly string[]): GateVerdict => ({ status: "fail", reason, details });
export const skip = (reason: string): GateVerdict => ({ status: "skip", reason });

/** One line per unhealthy check of a probe: `detailed: unhealthy (HTTP_503)`. */
export function describeProbe(result: ProbeResult): string[] {
  return result.checks
    .filter((c) => c.status !== "healthy")
    .map((c) => `${result.project} ${c.name}: ${c.status}${c.error_code ? ` (${c.error_code})` : ""}`);
}

/** 100% of the checks pass. */
export function isFullyHealthy(result: ProbeResult): boolean {
  return result.total > 0 && result.passing === result.total;
}
