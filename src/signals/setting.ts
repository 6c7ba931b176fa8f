/**
 * The `signals.store` setting of an environment: `sqlite:PATH` (relative to the workspace root),
 * `postgres:URL`, or `none` (no signal log, where it is not required), with `${VAR}` expanded from the process environment so a database URL stays out of the
 * manifest. A URL is only ever shown without its password.
 */
import { isAbsolute, resolve } from "node:path";
import { type Problem, TroError } from "../errors.js";

export type StoreLocation =
  | { readonly backend: "none"; readonly display: "none" }
  | { readonly backend: "sqlite"; readonly path: string; readonly display: string }
  | {
      readonly backend: "postgres";
      readonly url: string;
      readonly display: string;
      /** values that must never be printed (the password, as written and decoded) */
      readonly secrets: readonly string[];
    };

export interface ResolveStoreOptions {
  /** the workspace root */
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** where the setting is, for messages: e.g. `environments.production.signals.store` */
  readonly key: string;
  /** file:line of the setting when it is written in the manifest */
  readonly where?: Pick<Problem, "file" | "line" | "column">;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function bad(options: ResolveStoreOptions, message: string, hint: string): TroError {
  return new TroError("TRO_ERR_MANIFEST_INVALID", `${options.key} ${message}.`, {
    hint,
    problems: options.where ? [{ ...options.where, key: options.key, message }] : [],
  });
}

/** A postgres URL for messages: scheme, user, host, port and database, never the password or query. */
export function redactUrl(url: URL): string {
  const user = url.username ? `${decodeURIComponent(url.username)}${url.password ? ":***" : ""}@` : "";
  return `${url.protocol}//${user}${url.host}${url.pathname}`;
}

/**
 * Resolves a store setting to a backend and location.
 * @throws TroError TRO_ERR_MANIFEST_INVALID (exit 78) for an unset variable or a malformed setting
 */
export function resolveStoreSetting(setting: string, options: ResolveStoreOptions): StoreLocation {
  if (setting.trim() === "none") return { backend: "none", display: "none" };
  const missing: string[] = [];
  const expanded = setting.replace(VARIABLE, (_, name: string) => {
    const value = options.env[name];
    if (value === undefined || value === "") missing.push(name);
    return value ?? "";
  });
  if (missing.length)
    throw bad(
      options,
      `uses ${missing.map((m) => `\${${m}}`).join(", ")}, which ${missing.length > 1 ? "are" : "is"} not set`,
      `Set ${missing.join(", ")} in the environment (\`tradeops run\` passes it on), or change the store in tradeops.yaml.`,
    );
  const match = /^(sqlite|postgres):(.+)$/s.exec(expanded.trim());
  if (!match) throw bad(options, "must be sqlite:PATH or postgres:URL", "For example sqlite:data/signals.db.");
  const [, scheme, rest] = match as unknown as [string, string, string];
  if (scheme === "sqlite") {
    const path = isAbsolute(rest) ? rest : resolve(options.root, rest);
    return { backend: "sqlite", path, display: rest };
  }
  const text = rest.startsWith("//") ? `postgres:${rest}` : rest;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad(options, "is not a valid postgres URL", "Use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw bad(options, `names a ${url.protocol.replace(/:$/, "")} URL, not postgres`, "Use postgres://USER@HOST/DB.");
  const secrets = url.password ? [url.password, decodeURIComponent(url.password)] : [];
  return { backend: "postgres", url: text, display: redactUrl(url), secrets };
}
