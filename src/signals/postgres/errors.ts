/** PostgreSQL and network failures as one sentence that names the store (never its password). */
import { TroError } from "../../errors.js";

/** how long connecting to PostgreSQL may take before the store counts as unavailable */
export const PG_CONNECT_TIMEOUT_MS = 5_000;

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
};

function reasonOf(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: unknown[] };
  if (e?.code && REASONS[e.code]) return REASONS[e.code]!;
  // an AggregateError from connecting to several addresses
  if (Array.isArray(e?.errors) && e.errors.length) return reasonOf(e.errors[0]);
  const message = String(e?.message ?? error).split("\n")[0]!;
  if (/timeout/i.test(message)) return `no answer within ${PG_CONNECT_TIMEOUT_MS / 1000} s`;
  return message.replace(/\.$/, "") || "unknown error";
}

/** The store error (exit 69) for a failed PostgreSQL operation. */
export function pgStoreError(display: string, what: string, error: unknown): TroError {
  if (error instanceof TroError) return error;
  return new TroError("TRO_ERR_SIGNALS_STORE", `Cannot ${what} the signal store ${display}: ${reasonOf(error)}.`, {
    hint: "Check that PostgreSQL is running and the URL (environments.<env>.signals.store and the variables it uses) is right.",
    cause: error,
  });
}
