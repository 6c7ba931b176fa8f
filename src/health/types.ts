/**
 * The vocabulary every health level shares: statuses, their HTTP codes, samples, and the one sanitizer that
 * keeps raw exception text, hosts and secrets out of health output (only stable codes pass).
 */

export const HEALTH_STATUSES = ["healthy", "degraded", "unhealthy"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** SPEC §10: healthy and degraded still serve (200); unhealthy is 503. */
export const HTTP_STATUS: Readonly<Record<HealthStatus, number>> = { healthy: 200, degraded: 200, unhealthy: 503 };

/** The IETF health+json status for each of ours. */
export const IETF_STATUS: Readonly<Record<HealthStatus, "pass" | "warn" | "fail">> = {
  healthy: "pass",
  degraded: "warn",
  unhealthy: "fail",
};

/** Wall-clock time in epoch milliseconds, injected so tests move time instead of sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** One observation of a component, as a background monitor or an in-memory reader produces it. */
export interface ComponentSample {
  readonly status: HealthStatus;
  /** a stable code such as `STALE_DATA`; anything that is not code-shaped is replaced by `ERROR` */
  readonly errorCode?: string | null;
  readonly checks?: Readonly<Record<string, boolean>>;
  /** when the observation was taken (epoch ms); defaults to when it was reported */
  readonly at?: number;
}

/** Stable codes: upper-case letters, digits and underscores. Exception messages never have this shape. */
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** Names of components, checks and streams: no spaces, so no sentence (or exception text) fits in one. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,79}$/;

/** Returns `code` when it is code-shaped, `fallback` otherwise: the only way text reaches `error_code`. */
export function sanitizeCode(code: unknown, fallback = "ERROR"): string {
  return typeof code === "string" && CODE.test(code) ? code : fallback;
}

/** Whether a component, check or stream name is acceptable (no spaces, bounded length). */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/** The stable code of a thrown value: a TroError's code, a Node system code (`ECONNREFUSED`), else `ERROR`. */
export function codeOfError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return sanitizeCode(code);
}

/** Worst status first; used to combine statuses. */
export function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  return HEALTH_STATUSES.indexOf(a) >= HEALTH_STATUSES.indexOf(b) ? a : b;
}
