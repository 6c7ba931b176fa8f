/**
 * Secret resolution (SPEC §6): for each secret declared for the environment, its sources are tried in order
 * and the first with a value wins; which one won is recorded, never the value. Sources at the same position are
 * looked up together per provider, so remote providers batch. A failing provider stops that secret's chain
 * (fail closed): a fallback is never used because the primary was unreachable.
 */
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Project, Workspace } from "../workspace/types.js";
import { type ExpandContext, expandSource } from "./expand.js";
import { unneededSecrets } from "./needs.js";
import { awsSecretsProvider, awsSsmProvider } from "./providers/aws.js";
import { configProvider, dotenvProvider, envProvider, execProvider } from "./providers/local.js";
import type { Lookup, ProviderContext, SecretProvider } from "./providers/types.js";
import { Secret } from "./secret.js";
import { isRemote, type ProviderName, parseSource, type SourceRef } from "./sources.js";

/** How long remote values are kept before they are read again (AWS's own agents default to 300 s). */
export const SECRET_TTL_MS = 300_000;

export const DEFAULT_PROVIDERS: Readonly<Record<ProviderName, SecretProvider>> = {
  env: envProvider,
  dotenv: dotenvProvider,
  config: configProvider,
  "aws-secrets": awsSecretsProvider,
  "aws-ssm": awsSsmProvider,
  exec: execProvider,
};

export interface Attempt {
  readonly source: string;
  readonly outcome: "value" | "missing" | "error" | "not tried";
  readonly reason?: string;
}

export interface ResolvedSecret {
  readonly name: string;
  readonly required: boolean;
  /** why a secret is not required here: `optional` in the manifest, or not used in this mode */
  readonly notRequired?: string;
  readonly secret?: Secret;
  /** the source that yielded the value */
  readonly source?: string;
  /** a config-file source used as the declared last resort in production */
  readonly lastResort: boolean;
  readonly attempts: readonly Attempt[];
  /** set when a provider failed */
  readonly error?: string;
  /** set when a provider refused the credentials: refresh early once they are rotated */
  readonly authFailure?: boolean;
  /** age of a cached remote value */
  readonly cacheAgeMs?: number;
}

export interface SecretsReport {
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly secrets: readonly ResolvedSecret[];
  readonly warnings: readonly string[];
}

/** Remote lookups kept for a TTL; `invalidate` after an authentication failure forces a fresh read. */
export class SecretCache {
  readonly #entries = new Map<string, { lookup: Lookup; at: number }>();

  constructor(
    readonly ttlMs = SECRET_TTL_MS,
    readonly now: () => number = Date.now,
  ) {}

  get(raw: string): { lookup: Lookup; ageMs: number } | undefined {
    const entry = this.#entries.get(raw);
    if (!entry) return undefined;
    const ageMs = this.now() - entry.at;
    if (ageMs > this.ttlMs) {
      this.#entries.delete(raw);
      return undefined;
    }
    return { lookup: entry.lookup, ageMs };
  }

  set(raw: string, lookup: Lookup): void {
    if (lookup.kind !== "error") this.#entries.set(raw, { lookup, at: this.now() });
  }

  /** Forgets cached values of the given sources (all when none given). */
  invalidate(sources?: readonly string[]): void {
    if (!sources) this.#entries.clear();
    else for (const raw of sources) this.#entries.delete(raw);
  }
}

export interface ResolveSecretsOptions {
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the project's merged config, for `config:` sources */
  readonly config?: unknown;
  /** only these secrets (default: every secret declared for the environment) */
  readonly names?: readonly string[];
  readonly cache?: SecretCache;
  readonly providers?: Partial<Record<ProviderName, SecretProvider>>;
}

export async function resolveSecrets(options: ResolveSecretsOptions): Promise<SecretsReport> {
  const project = options.workspace.projects[options.project]!;
  const providers = { ...DEFAULT_PROVIDERS, ...options.providers };
  const ctx: ProviderContext = {
    env: options.env,
    environment: options.environment,
    projectDir: project.dir,
    config: options.config,
  };
  // a secret asked for by name is needed by the caller; otherwise the process's mode decides
  const unneeded = options.names
    ? new Map<string, string>()
    : unneededSecrets(options.workspace, project, options.environment, options.config);
  const chains = declaredChains(project, options.environment, options.names, unneeded, {
    project,
    environment: options.environment,
    env: options.env,
    config: options.config,
  });
  const attempts = new Map<string, Attempt[]>(chains.map((c) => [c.name, []]));
  const done = new Map<string, ResolvedSecret>();
  const warnings: string[] = [];
  const longest = Math.max(0, ...chains.map((c) => c.refs.length));

  for (let position = 0; position < longest; position++) {
    const pending = chains.filter((c) => !done.has(c.name) && c.refs[position]);
    const byProvider = new Map<ProviderName, SourceRef[]>();
    for (const c of pending) {
      const ref = c.refs[position]!;
      byProvider.set(ref.provider, [...(byProvider.get(ref.provider) ?? []), ref]);
    }
    const results = new Map<string, { lookup: Lookup; ageMs?: number }>();
    for (const [name, refs] of byProvider) {
      const toFetch: SourceRef[] = [];
      for (const ref of refs) {
        const cached = isRemote(name) ? options.cache?.get(ref.raw) : undefined;
        if (cached) results.set(ref.raw, cached);
        else toFetch.push(ref);
      }
      if (!toFetch.length) continue;
      const unique = [...new Map(toFetch.map((r) => [r.raw, r])).values()];
      const found = await providers[name].lookupMany(unique, ctx);
      for (const ref of unique) {
        const lookup = found.get(ref.raw) ?? { kind: "missing", reason: "not found" };
        if (isRemote(name)) options.cache?.set(ref.raw, lookup);
        results.set(ref.raw, { lookup, ageMs: 0 });
      }
    }
    for (const c of pending) {
      const ref = c.refs[position]!;
      const { lookup, ageMs } = results.get(ref.raw)!;
      const tried = attempts.get(c.name)!;
      tried.push({
        source: ref.raw,
        outcome: lookup.kind,
        reason: lookup.kind === "value" ? undefined : lookup.reason,
      });
      if (lookup.kind === "missing") continue;
      const rest = c.refs.slice(position + 1).map((r): Attempt => ({ source: r.raw, outcome: "not tried" }));
      if (lookup.kind === "error") {
        done.set(c.name, {
          name: c.name,
          required: c.required,
          ...(c.notRequired ? { notRequired: c.notRequired } : {}),
          lastResort: false,
          attempts: [...tried, ...rest],
          error: `${ref.raw} failed: ${lookup.reason}`,
          authFailure: lookup.auth,
        });
        continue;
      }
      const lastResort = ref.provider === "config" && options.environment === "production";
      if (lastResort) {
        warnings.push(
          `secret ${c.name} came from ${ref.raw}, the last resort in production; store it in a secret manager.`,
        );
      }
      done.set(c.name, {
        name: c.name,
        required: c.required,
        ...(c.notRequired ? { notRequired: c.notRequired } : {}),
        secret: new Secret(c.name, ref.raw, lookup.value),
        source: ref.raw,
        lastResort,
        attempts: [...tried, ...rest],
        cacheAgeMs: isRemote(ref.provider) ? ageMs : undefined,
      });
    }
  }
  const secrets = chains.map(
    (c) =>
      done.get(c.name) ?? {
        name: c.name,
        required: c.required,
        ...(c.notRequired ? { notRequired: c.notRequired } : {}),
        lastResort: false,
        attempts: attempts.get(c.name)!,
      },
  );
  return { project: project.name, environment: options.environment, secrets, warnings };
}

interface Chain {
  readonly name: string;
  readonly required: boolean;
  readonly notRequired?: string;
  readonly refs: readonly SourceRef[];
}

function declaredChains(
  project: Project,
  environment: EnvironmentName,
  names: readonly string[] | undefined,
  unneeded: ReadonlyMap<string, string>,
  expand: ExpandContext,
): Chain[] {
  const out: Chain[] = [];
  for (const [name, perEnv] of Object.entries(project.secrets)) {
    if (names && !names.includes(name)) continue;
    const chain = perEnv[environment];
    if (!chain) continue;
    const notRequired = chain.optional ? `optional in ${environment}` : unneeded.get(name);
    // a secret nobody needs here may name a variable nobody set: it is looked up as written, and misses
    const expanded = (raw: string) => {
      try {
        return expandSource(name, raw, expand);
      } catch (error) {
        if (notRequired) return raw;
        throw error;
      }
    };
    out.push({
      name,
      required: !notRequired,
      ...(notRequired ? { notRequired } : {}),
      refs: chain.sources.map((raw) => parseSource(expanded(raw))),
    });
  }
  if (names) {
    for (const name of names) {
      if (!project.secrets[name]) {
        throw new TroError("TRO_ERR_SECRET_UNRESOLVED", `Project ${project.name} declares no secret ${name}.`, {
          hint: `Declare projects.${project.name}.secrets.${name} in tradeops.yaml.`,
        });
      }
    }
  }
  return out;
}

/**
 * Throws unless every required secret resolved: provider failures first (exit 69), then missing values (78).
 * @throws TroError TRO_ERR_SECRET_PROVIDER, TRO_ERR_SECRET_UNRESOLVED
 */
export function ensureSecrets(report: SecretsReport): Map<string, Secret> {
  // a secret this process can run without does not stop it when its provider fails (secrets check shows it)
  const failed = report.secrets.filter((s) => s.error && s.required);
  if (failed.length) {
    throw new TroError(
      "TRO_ERR_SECRET_PROVIDER",
      `${failed.length} secret${failed.length === 1 ? "" : "s"} of ${report.project} could not be read in ${report.environment}.`,
      {
        problems: failed.map((s) => ({ key: `secret ${s.name}`, message: s.error! })),
        hint: "Check the provider's credentials and permissions (`tradeops secrets check` shows every source tried).",
      },
    );
  }
  const missing = report.secrets.filter((s) => s.required && !s.secret);
  if (missing.length) {
    throw new TroError(
      "TRO_ERR_SECRET_UNRESOLVED",
      `${missing.length} secret${missing.length === 1 ? "" : "s"} of ${report.project} did not resolve in ${report.environment}.`,
      {
        problems: missing.map((s) => ({
          key: `secret ${s.name}`,
          message: `no value from ${s.attempts.map((a) => a.source).join(", ")}`,
        })),
        hint: `Provide each one through one of its sources; \`tradeops secrets check ${report.project} --env ${report.environment}\` shows why each source gave nothing.`,
      },
    );
  }
  return new Map(report.secrets.filter((s) => s.secret).map((s) => [s.name, s.secret!]));
}
