/** The deploy's nouns, shared by the plan, the gates, the switch, the records and the CLI. */
import type { EnvironmentName } from "../environment/names.js";

export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

export const GATE_NAMES = {
  1: "identify changes",
  2: "verify scope",
  3: "tests",
  4: "lint",
  5: "build",
  6: "required environments healthy",
  7: "environment validated",
  8: "code quality",
  9: "target healthy",
  10: "explicit confirmation",
  11: "health after the switch",
  12: "signal parity",
} as const;
export type GateNumber = keyof typeof GATE_NAMES;
export const GATE_NUMBERS = Object.keys(GATE_NAMES).map(Number) as GateNumber[];

export type GateStatus = "pass" | "fail" | "skip" | "pending";

/** One gate's verdict as reports and records show it. */
export interface GateResult {
  readonly gate: GateNumber;
  readonly name: string;
  readonly status: GateStatus;
  readonly reason: string;
  readonly durationMs: number;
  /** file:line findings, failing commands, unhealthy checks */
  readonly details?: readonly string[];
  /** set when an operator skipped it with --skip-gate */
  readonly skippedBy?: string;
}

/** Where one project runs in one environment (the manifest's `targets.<env>.<project>`, resolved). */
export interface ResolvedTarget {
  readonly environment: EnvironmentName;
  readonly project: string;
  readonly hosts: readonly string[];
  /** absolute for local hosts; as written for remote ones (relative = the SSH user's home) */
  readonly path: string;
  readonly port: number;
  readonly internalPorts: readonly [number, number];
  readonly keepReleases: number;
  /** where an order sender's executor lease lives: a file on the host, or the environment's PostgreSQL */
  readonly lease: "file" | "postgres";
  /** project paths kept in shared/persist/ and linked into every release (`data/` a directory, `x.db` a file) */
  readonly persist: readonly string[];
  /** where the release's secrets are resolved: on the deploying machine (into the env file) or only on the host */
  readonly secrets: "deployer" | "host";
  /** a target without a port: a worker (no proxy; port 0) or static files (`current` link); absent: blue/green */
  readonly style?: "worker" | "static";
}

/** uploaded → started → active → inactive (replaced, still on disk) → pruned; or failed (it never went live, or was rolled back). */
export type ReleaseStatus = "uploaded" | "started" | "active" | "inactive" | "failed" | "pruned";

/** One release on a target, as `releases.json` records it. */
export interface ReleaseRecord {
  readonly id: string;
  readonly project: string;
  readonly commit: string;
  readonly dirty: boolean;
  readonly artifactHash: string;
  readonly files: number;
  readonly createdAt: string;
  readonly deployId: string;
  status: ReleaseStatus;
  /** when it passed gate 11: a known-good release, the default target of a rollback */
  goodAt?: string;
  color?: Color;
  /** per config key, a salted digest of its value: enough to tell which keys changed, never what they hold */
  configDigest?: Readonly<Record<string, string>>;
  configHash?: string;
  reason?: string;
}

export type DeployOutcome = "succeeded" | "failed" | "rolled-back" | "refused" | "interrupted";

/** One step of a deploy after the gates, with its duration. */
export interface StepRecord {
  readonly step: string;
  readonly status: "pass" | "fail" | "skip";
  readonly durationMs: number;
  readonly detail?: string;
}

/** One deployment (or rollback) of one project to one target host, appended to `history.jsonl`. */
export interface DeployRecord {
  readonly id: string;
  readonly kind: "deploy" | "rollback" | "recovery" | "lock-break" | "stop" | "start" | "remove";
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly host: string;
  readonly release: string;
  readonly previous?: string;
  readonly commit: string;
  readonly artifactHash?: string;
  readonly who: string;
  readonly startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  gates: GateResult[];
  steps: StepRecord[];
  health?: { readonly level: number; readonly verdict: "healthy" | "unhealthy"; readonly detail: string };
  configKeysChanged?: readonly string[];
  outcome?: DeployOutcome;
  rollbackReason?: string;
  emergency?: string;
  /** `--accept-signal-changes REASON`: gate 12 let decisions that differ from the active release's through */
  acceptedSignalChanges?: string;
  skipped?: readonly { readonly gate: number; readonly reason: string }[];
  allowDirty?: readonly string[];
  orderGapMs?: number;
  color?: Color;
  /** why a recovery or a lock break happened */
  reason?: string;
}
