/**
 * `accounts check`: resolve the bound credentials, run the guards that need no network, ask the broker for the
 * account, run the guards on its answer, and record the credential's fingerprint for this environment.
 * Only GET /v2/account is ever called here; a refusal happens before any order endpoint could be.
 */
import { AlpacaClient, AlpacaError } from "../adapters/alpaca/client.js";
import type { AlpacaAccount } from "../adapters/alpaca/types.js";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { unneededSecrets } from "../secrets/needs.js";
import type { SecretProvider } from "../secrets/providers/types.js";
import { ensureSecrets, resolveSecrets, SecretCache } from "../secrets/resolve.js";
import type { Secret } from "../secrets/secret.js";
import type { Workspace } from "../workspace/types.js";
import { type FingerprintRegistry, openFingerprints } from "./fingerprint.js";
import {
  accountGuards,
  type BrokerAccount,
  defaultBaseUrl,
  type GuardResult,
  preflightGuards,
  urlKind,
} from "./guards.js";

export interface Credentials {
  readonly keyId: Secret;
  readonly secretKey: Secret;
}

/** Asks the broker for the account behind the credentials; `undefined` when it rejects them (401/403). */
export type FetchAccount = (baseUrl: string, credentials: Credentials) => Promise<BrokerAccount | undefined>;

export interface AccountReport {
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly broker: string;
  readonly mode: "paper" | "live";
  readonly accountName?: string;
  readonly baseUrl: string;
  readonly credentialSource: string;
  readonly account?: BrokerAccount;
  readonly guards: readonly GuardResult[];
  readonly ok: boolean;
  /** why the broker was not asked: the project does not trade through it in this environment */
  readonly notContacted?: string;
}

export interface CheckAccountOptions {
  readonly workspace: Workspace;
  readonly project: string;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config?: unknown;
  readonly fetchAccount?: FetchAccount;
  readonly cache?: SecretCache;
  readonly registry?: FingerprintRegistry;
  readonly now?: () => Date;
}

/**
 * Runs every guard for one project's binding in one environment.
 * @throws TroError TRO_ERR_GUARD_REFUSED (naming each refused rule), TRO_ERR_SECRET_*, TRO_ERR_BROKER_UNAVAILABLE
 */
export async function checkAccount(options: CheckAccountOptions): Promise<AccountReport> {
  const { workspace, environment } = options;
  const project = workspace.projects[options.project]!;
  const binding = project.accounts[environment];
  if (!binding) {
    throw new TroError("TRO_ERR_USAGE", `Project ${project.name} binds no account in ${environment}.`, {
      hint: `Add projects.${project.name}.accounts.${environment} to tradeops.yaml.`,
    });
  }
  const cache = options.cache ?? new SecretCache();
  const registry = options.registry ?? openFingerprints(workspace.root);
  const baseUrl = defaultBaseUrl(binding);
  const names = binding.credentials ? [binding.credentials.keyId, binding.credentials.secretKey] : [];
  // in a mode that runs the simulated broker the keys are not needed: without them there is nothing to ask
  const unneeded = binding.credentials
    ? unneededSecrets(workspace, project, environment, options.config).get(binding.credentials.keyId)
    : undefined;
  const resolveCredentials = async () => {
    const report = await resolveSecrets({ ...options, names, cache, config: options.config });
    if (unneeded && report.secrets.some((s) => !s.secret && !s.error)) return undefined;
    const secrets = ensureSecrets(report);
    return binding.credentials
      ? { keyId: secrets.get(binding.credentials.keyId)!, secretKey: secrets.get(binding.credentials.secretKey)! }
      : undefined;
  };
  let credentials = await resolveCredentials();
  const fingerprint = credentials ? registry.fingerprint(credentials.keyId) : undefined;
  const elsewhere = fingerprint ? await environmentsWithKey(options, registry, fingerprint, cache) : [];
  const guards: GuardResult[] = preflightGuards({
    environment,
    binding,
    liveTrading: project.liveTrading,
    keyId: credentials?.keyId.reveal(),
    baseUrl: binding.baseUrl ?? baseUrl,
    sameKeyElsewhere: elsewhere,
  });
  const base = {
    project: project.name,
    environment,
    broker: binding.broker,
    mode: binding.mode,
    accountName: binding.accountName,
    baseUrl,
    credentialSource: credentials ? credentials.keyId.source : "none",
  };
  if (guards.some((g) => !g.ok)) refuse({ ...base, guards, ok: false });
  if (unneeded && !credentials) {
    return { ...base, guards, ok: true, notContacted: unneeded };
  }

  let account: BrokerAccount | undefined;
  if (binding.broker === "simulated" || !credentials) {
    account = simulatedAccount(binding.mode);
  } else {
    const fetchAccount = options.fetchAccount ?? fetchAlpacaAccount;
    account = await fetchAccount(baseUrl, credentials);
    if (!account) {
      // the key may have been rotated: read it again, bypassing the cache, and retry once
      cache.invalidate();
      credentials = await resolveCredentials();
      account = credentials ? await fetchAccount(baseUrl, credentials) : undefined;
    }
    if (!account) {
      guards.push({ rule: "broker-rejected-credentials", ok: false, detail: `${baseUrl} refused the credentials` });
      refuse({ ...base, guards, ok: false });
    }
  }
  guards.push(...accountGuards(binding, account!));
  const report: AccountReport = { ...base, account, guards, ok: guards.every((g) => g.ok) };
  if (!report.ok) refuse(report);
  if (fingerprint) registry.record(environment, project.name, fingerprint, (options.now ?? (() => new Date()))());
  return report;
}

function refuse(report: AccountReport): never {
  const refused = report.guards.filter((g) => !g.ok);
  throw Object.assign(
    new TroError(
      "TRO_ERR_GUARD_REFUSED",
      `Account guard refused ${report.project} in ${report.environment}: ${refused.map((g) => g.rule).join(", ")}.`,
      {
        problems: refused.map((g) => ({ key: g.rule, message: g.detail })),
        hint: "No order can be sent until the binding, the credentials and the broker's account agree.",
      },
    ),
    { report },
  );
}

/**
 * Variables, config files, dotenv files and commands are this machine's, not another environment's: on a
 * production host `env:ALPACA_API_KEY` holds the production key whatever chain names it. Only sources named per
 * environment (secret managers) say what another environment's key is.
 */
const skipLocal: SecretProvider = {
  lookupMany: async (refs) => new Map(refs.map((r) => [r.raw, { kind: "missing", reason: "not compared" } as const])),
};
const MACHINE_LOCAL_SKIPPED = { env: skipLocal, config: skipLocal, dotenv: skipLocal, exec: skipLocal };

/** Environments other than this one whose bound key has the same fingerprint: recorded ones and resolvable ones. */
async function environmentsWithKey(
  options: CheckAccountOptions,
  registry: FingerprintRegistry,
  fingerprint: string,
  cache: SecretCache,
): Promise<string[]> {
  const found = new Set<string>();
  for (const entry of registry.entries()) {
    if (entry.environment !== options.environment && entry.fingerprint === fingerprint) {
      found.add(`${entry.environment} (${entry.project}, recorded)`);
    }
  }
  for (const [name, project] of Object.entries(options.workspace.projects)) {
    for (const [env, binding] of Object.entries(project.accounts)) {
      if (env === options.environment || !binding?.credentials) continue;
      const report = await resolveSecrets({
        workspace: options.workspace,
        project: name,
        environment: env as EnvironmentName,
        // another environment's key is compared only through explicitly configured credentials: this host's
        // instance role belongs to this host's environment
        env: { ...options.env, AWS_EC2_METADATA_DISABLED: "true" },
        names: [binding.credentials.keyId],
        cache,
        providers: MACHINE_LOCAL_SKIPPED,
      }).catch(() => undefined);
      const secret = report?.secrets[0]?.secret;
      if (secret && registry.fingerprint(secret) === fingerprint) found.add(`${env} (${name})`);
    }
  }
  return [...found];
}

function simulatedAccount(mode: "paper" | "live"): BrokerAccount {
  return {
    id: "simulated",
    accountNumber: "SIM",
    status: "ACTIVE",
    currency: "USD",
    buyingPower: "100000",
    cash: "100000",
    equity: "100000",
    kind: mode,
  };
}

/** Alpaca trading API v2, GET /v2/account, through the adapter's client. */
export const fetchAlpacaAccount: FetchAccount = async (baseUrl, credentials) => {
  let body: AlpacaAccount;
  try {
    body = await new AlpacaClient({ baseUrl, credentials }).getAccount();
  } catch (error) {
    if (error instanceof AlpacaError && (error.status === 401 || error.status === 403)) return undefined;
    throw error;
  }
  const kind = body.account_number.startsWith("PA") ? "paper" : urlKind(baseUrl) === "paper" ? "paper" : "live";
  return {
    id: body.id,
    accountNumber: body.account_number,
    status: body.status,
    currency: body.currency,
    buyingPower: body.buying_power,
    cash: body.cash,
    equity: body.equity,
    kind,
  };
};
