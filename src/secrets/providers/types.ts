import type { EnvironmentName } from "../../environment/names.js";
import type { SourceRef } from "../sources.js";

/** What one source said: a value, nothing here (try the next source), or a failure (stop: fail closed). */
export type Lookup =
  | { readonly kind: "value"; readonly value: string }
  | { readonly kind: "missing"; readonly reason: string }
  | { readonly kind: "error"; readonly reason: string; readonly auth?: boolean };

export interface ProviderContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly environment: EnvironmentName;
  readonly projectDir: string;
  /** the project's merged config before validation (files, local overlay, variables) */
  readonly config?: unknown;
}

/** A secret provider looks up many references at once, so that remote ones can batch. */
export interface SecretProvider {
  lookupMany(refs: readonly SourceRef[], ctx: ProviderContext): Promise<Map<string, Lookup>>;
}

/** A secret value larger than this is a mistake (a file or a document where a key was meant). */
export const SECRET_VALUE_LIMIT_BYTES = 64 * 1024;

export const value = (v: string): Lookup =>
  v === ""
    ? missing("empty value")
    : Buffer.byteLength(v) > SECRET_VALUE_LIMIT_BYTES
      ? failure(`the value is over the limit of ${SECRET_VALUE_LIMIT_BYTES} bytes`)
      : { kind: "value", value: v };
export const missing = (reason: string): Lookup => ({ kind: "missing", reason });
export const failure = (reason: string, auth = false): Lookup => ({ kind: "error", reason, auth });

/** Runs a one-at-a-time lookup over every reference. */
export async function each(
  refs: readonly SourceRef[],
  one: (ref: SourceRef) => Lookup | Promise<Lookup>,
): Promise<Map<string, Lookup>> {
  const out = new Map<string, Lookup>();
  for (const ref of refs) out.set(ref.raw, await one(ref));
  return out;
}
