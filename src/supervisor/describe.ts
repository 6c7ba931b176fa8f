/** One-line reasons for status, the failure record and the logs. */
import { formatProblem, isTroError, TroError } from "../errors.js";
import type { ExitInfo } from "./spawn.js";
import type { HealthSnapshot } from "./types.js";

/** An error as a one-line reason, with the problems a TroError lists (which secret, which key). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const problems = isTroError(error) ? error.problems.map(formatProblem) : [];
  return problems.length ? `${error.message} (${problems.join("; ")})` : error.message;
}

/** `exited with code 1`, `killed by SIGKILL`, or an exit this supervisor could only see happen. */
export function describeExit(exit: ExitInfo): string {
  if (exit.unobserved) return "exited (exit code unknown: not a child of this supervisor)";
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/** `--wait-healthy` on an instance that failed or was stopped. */
export function notRunningError(name: string, project: string, state: string, reason?: string): TroError {
  return new TroError("TRO_ERR_HEALTH_FAILED", `${name} is ${state}: ${reason ?? "stopped"}.`, {
    hint: `See \`tradeops status ${project}\` and \`tradeops logs ${project}\`.`,
  });
}

/** `--wait-healthy` ran out of time; the instance itself keeps being supervised. */
export function healthTimeoutError(
  name: string,
  project: string,
  state: string,
  timeoutMs: number,
  last: HealthSnapshot,
): TroError {
  return new TroError(
    "TRO_ERR_HEALTH_FAILED",
    `${name} did not answer health within ${Math.round(timeoutMs / 100) / 10} s (state ${state}, last probe ${last.status}${last.error ? `: ${last.error}` : ""}).`,
    { hint: `See \`tradeops logs ${project}\`; the instance keeps being supervised.` },
  );
}
