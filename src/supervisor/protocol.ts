/**
 * The supervisor's socket protocol: one JSON request line, one JSON response line, per connection. Errors
 * travel as their code, message and hint, so a client raises the same TroError the supervisor did.
 */
import { ERROR_CODES, type ErrorCode, type Problem, TroError } from "../errors.js";
import type { BaseEnv } from "./instance-context.js";
import type { StartResult, Target } from "./supervisor.js";
import type { InstanceRequest, InstanceStatus, SupervisorInfo, SupervisorStatus } from "./types.js";

export type SupervisorRequest =
  | { readonly op: "ping" }
  | { readonly op: "start"; readonly request: InstanceRequest; readonly env: BaseEnv }
  | { readonly op: "stop"; readonly target: Target; readonly graceMs?: number }
  | { readonly op: "restart"; readonly target: Target; readonly env: BaseEnv; readonly graceMs?: number }
  | { readonly op: "status"; readonly project?: string }
  | { readonly op: "wait"; readonly name: string; readonly timeoutMs: number }
  | { readonly op: "shutdown"; readonly stopServices: boolean };

export interface SupervisorReplies {
  ping: SupervisorInfo;
  start: StartResult;
  stop: InstanceStatus[];
  restart: InstanceStatus[];
  status: SupervisorStatus;
  wait: InstanceStatus;
  shutdown: { readonly stopping: true };
}

export type WireError = {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly problems?: readonly Problem[];
};
export type SupervisorResponse =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: WireError };

/** An error as it travels; unexpected errors keep only their first line. */
export function toWire(error: unknown): WireError {
  if (error instanceof TroError) {
    return { code: error.code, message: error.message, hint: error.hint, problems: error.problems };
  }
  return { code: "TRO_ERR_INTERNAL", message: String((error as Error)?.message ?? error).split("\n")[0]! };
}

/** The TroError a wire error stands for. */
export function fromWire(error: WireError): TroError {
  const code = (error.code in ERROR_CODES ? error.code : "TRO_ERR_INTERNAL") as ErrorCode;
  return new TroError(code, error.message, { hint: error.hint, problems: error.problems ?? [] });
}
