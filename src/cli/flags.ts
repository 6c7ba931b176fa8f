/**
 * The flags several commands share, parsed in one place so that `--port`, `--lines`, `--since` and the
 * durations mean the same and fail the same way (usage, exit 64) in every command.
 */
import {
  canonicalEnvironment,
  type EnvironmentName,
  knownEnvironmentNames,
  showableValue,
} from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Workspace } from "../workspace/types.js";

const usage = (message: string, hint: string) => new TroError("TRO_ERR_USAGE", message, { hint });

/** `--port N`: 1–65535, or 0 where the command may take any free port. @throws TroError TRO_ERR_USAGE */
export function portFlag(value: unknown, options: { allowAny?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  const min = options.allowAny ? 0 : 1;
  if (!(port >= min && port <= 65_535)) {
    throw usage(
      `--port must be a port number ${min}–65535, got "${String(value)}".`,
      options.allowAny ? "e.g. --port 8000 (0: any free port)" : "e.g. --port 8000",
    );
  }
  return port;
}

/** `--lines N` / `-n N`: a whole number ≥ 0. @throws TroError TRO_ERR_USAGE */
export function linesFlag(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  if (!/^\d+$/.test(text))
    throw usage(`--lines must be a whole number ≥ 0, got "${String(value)}".`, "e.g. --lines 100");
  return Number(text);
}

/** A number of seconds ≥ 0 given to `flag`, returned in milliseconds. @throws TroError TRO_ERR_USAGE */
export function secondsFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(seconds)) {
    throw usage(`${flag} must be a number of seconds ≥ 0, got "${String(value)}".`, `e.g. ${flag} 30`);
  }
  return Math.round(seconds * 1000);
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since 10m|2h|1d|2026-12-01|2026-12-01T14:30:00Z`: a moment, as epoch milliseconds. A duration counts back
 * from `now`; a date alone means its start (UTC).
 * @throws TroError TRO_ERR_USAGE
 */
export function sinceFlag(value: unknown, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const duration = /^(\d+)([smhd])$/.exec(text);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const zoned = /T[\d:.]+$/.test(text) ? `${text}Z` : text;
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(zoned) ? Date.parse(zoned) : Number.NaN;
  if (Number.isNaN(at)) {
    throw usage(
      `--since must be a duration (30s, 10m, 2h, 1d) or a UTC time (2026-12-01, 2026-12-01T14:30:00Z), got "${text}".`,
      "e.g. --since 1h",
    );
  }
  return at;
}

/** A positive number of seconds from a flag, in seconds. @throws TroError TRO_ERR_USAGE */
export function positiveSecondsFlag(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw usage(`${flag} must be a positive number of seconds (got ${String(value)}).`, `e.g. ${flag} 60`);
  return n;
}

/**
 * A canonical environment the workspace declares.
 * @throws TroError TRO_ERR_USAGE (not an environment), TRO_ERR_ENV_UNDECLARED
 */
export function resolveEnvironment(raw: string, workspace: Workspace): EnvironmentName {
  const name = canonicalEnvironment(raw, workspace.detect.aliases);
  if (!name) {
    // a mistyped argument is a usage error, like a mistyped --env (78 is for a bad detection variable)
    const shown = showableValue("environment", raw.trim()) ? JSON.stringify(raw) : "The value given";
    throw new TroError("TRO_ERR_USAGE", `${shown} is not an environment.`, {
      hint: `Use one of: ${knownEnvironmentNames(workspace.detect.aliases, workspace.environments).join(", ")}.`,
    });
  }
  if (!workspace.environments.includes(name)) {
    throw new TroError("TRO_ERR_ENV_UNDECLARED", `${workspace.name} does not declare the ${name} environment.`, {
      hint: `Declare environments.${name} in tradeops.yaml.`,
    });
  }
  return name;
}

export interface TargetEnvironmentOptions {
  /** the words after the project: `production`, `to production`, or nothing */
  readonly words: readonly string[];
  /** `--to ENV` where the command takes it (deploy, gates) */
  readonly toFlag?: string;
  /** `--env ENV` */
  readonly envFlag?: string;
  /** the detected environment, where the command may act on it without being told (read commands) */
  readonly detected?: EnvironmentName;
  /** e.g. `tradeops deploy argo to production`, for the hint */
  readonly example: string;
}

/**
 * The target environment, named the same way in deploy, gates, rollback, releases, lock and history:
 * `PROJECT [to] ENV`, or `--env ENV` (and `--to ENV` for deploy and gates), said once.
 * @throws TroError TRO_ERR_USAGE (none, more than one, or not an environment), TRO_ERR_ENV_UNDECLARED
 */
export function targetEnvironment(workspace: Workspace, o: TargetEnvironmentOptions): EnvironmentName {
  const words = [...o.words];
  if (words[0] === "to") words.shift();
  const named = [...words, o.toFlag, o.envFlag].filter((w): w is string => Boolean(w));
  const distinct = [...new Set(named.map((w) => canonicalEnvironment(w, workspace.detect.aliases) ?? w))];
  if (distinct.length > 1 || words.length > 1)
    throw usage(`Name the environment once (got ${named.join(", ")}).`, `e.g. \`${o.example}\`.`);
  if (!named.length) {
    if (o.detected) return o.detected;
    throw usage("Name the environment.", `e.g. \`${o.example}\`.`);
  }
  return resolveEnvironment(named[0]!, workspace);
}

/** `--accept-signal-changes REASON`: the reason is recorded, so it may not be blank. @throws TroError TRO_ERR_USAGE */
export function acceptSignalChanges(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const reason = String(value).trim();
  if (!reason)
    throw new TroError("TRO_ERR_USAGE", "--accept-signal-changes needs a reason saying why the decisions change.", {
      hint: 'e.g. --accept-signal-changes "slow window 30 → 40, reviewed"; it is recorded with the deploy.',
    });
  return reason;
}
