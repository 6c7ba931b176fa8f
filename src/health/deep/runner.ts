/**
 * Level 3: live checks of external dependencies, each under its own timeout, all in parallel, the result
 * cached for a few seconds and shared by concurrent callers (single flight), failures cached too — so that a
 * burst of requests never becomes a burst of database or broker calls (research §3.7).
 */
import { TroError } from "../../errors.js";
import type { CheckView } from "../reports.js";
import { withTimeout } from "../timeout.js";
import { type Clock, codeOfError, isValidName, sanitizeCode, systemClock } from "../types.js";

/** A check's default deadline, and how long one round of results is reused. */
export const DEEP_CHECK_TIMEOUT_MS = 2000;
export const DEEP_CACHE_TTL_MS = 5000;

/** What a check returns: pass or fail with a stable code and an optional measurement. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly code?: string;
  readonly observedValue?: number;
  readonly observedUnit?: string;
}

export interface DeepCheck {
  readonly name: string;
  readonly timeoutMs?: number;
  /** a failing non-critical check degrades, a critical one makes the service unhealthy (default true) */
  readonly critical?: boolean;
  /** resolves to an outcome (or nothing or `true` for pass, `false` for fail); a throw fails with its code */
  run(signal: AbortSignal): Promise<CheckOutcome | boolean | undefined> | CheckOutcome | boolean | undefined;
}

export interface DeepRound {
  /** when the round started (epoch ms) */
  readonly at: number;
  readonly checks: Readonly<Record<string, CheckView>>;
}

export interface DeepRunner {
  /** The cached round while it is fresh, the round in flight if there is one, else a new round. */
  run(): Promise<DeepRound>;
  readonly names: readonly string[];
}

/** Runs one check under its deadline and turns whatever happens into a sanitized view. */
export async function runCheck(check: DeepCheck): Promise<CheckView> {
  const started = performance.now();
  const result = await withTimeout((signal) => check.run(signal), check.timeoutMs ?? DEEP_CHECK_TIMEOUT_MS);
  const duration_ms = Math.round((performance.now() - started) * 10) / 10;
  const critical = check.critical ?? true;
  const failed = (code: string): CheckView => ({ status: "unhealthy", error_code: code, critical, duration_ms });
  if (!result.ok) return failed(result.timedOut ? "TIMEOUT" : codeOfError(result.error));
  const value = result.value;
  const outcome: CheckOutcome = typeof value === "object" && value !== null ? value : { ok: value !== false };
  const view: CheckView = outcome.ok
    ? { status: "healthy", error_code: null, critical, duration_ms }
    : failed(sanitizeCode(outcome.code, "FAILED"));
  if (typeof outcome.observedValue === "number" && Number.isFinite(outcome.observedValue)) {
    view.observed_value = outcome.observedValue;
    if (outcome.observedUnit && /^[a-z%]{1,16}$/.test(outcome.observedUnit)) view.observed_unit = outcome.observedUnit;
  }
  return view;
}

/**
 * A runner over a fixed set of checks.
 * @throws TRO_ERR_INTERNAL on a malformed or duplicate check name
 */
export function createDeepRunner(
  checks: readonly DeepCheck[],
  options: { clock?: Clock; cacheTtlMs?: number } = {},
): DeepRunner {
  const clock = options.clock ?? systemClock;
  const ttl = options.cacheTtlMs ?? DEEP_CACHE_TTL_MS;
  const names = checks.map((c) => c.name);
  for (const [i, name] of names.entries()) {
    if (!isValidName(name)) throw new TroError("TRO_ERR_INTERNAL", `check name "${name}" is not a valid name`);
    if (names.indexOf(name) !== i) throw new TroError("TRO_ERR_INTERNAL", `check "${name}" is defined twice`);
  }
  let cached: DeepRound | undefined;
  let inFlight: Promise<DeepRound> | undefined;
  const round = async (): Promise<DeepRound> => {
    const at = clock.now();
    const views = await Promise.all(checks.map(runCheck));
    return { at, checks: Object.fromEntries(names.map((n, i) => [n, views[i]!])) };
  };
  return {
    names,
    run() {
      if (cached && clock.now() - cached.at < ttl) return Promise.resolve(cached);
      if (!inFlight) {
        inFlight = round().then((r) => {
          cached = r;
          inFlight = undefined;
          return r;
        });
      }
      return inFlight;
    },
  };
}
