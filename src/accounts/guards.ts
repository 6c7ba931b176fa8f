/**
 * Account guards (SPEC §7), as pure functions over what is known: the binding, the environment, the project's
 * live enablement, the credentials' fingerprints and, after the broker answered, the account it reports.
 * A refusal names its rule; any refusal stops orders before an order endpoint is ever called.
 */
import { ALPACA_LIVE_URL, ALPACA_PAPER_URL } from "../adapters/alpaca/client.js";
import type { EnvironmentName } from "../environment/names.js";
import type { AccountBindingManifest } from "../workspace/schema.js";

export const GUARD_RULES = [
  "live-outside-production",
  "live-not-enabled",
  "mixed-credentials",
  "key-url-mismatch",
  "binding-url-mismatch",
  "broker-rejected-credentials",
  "broker-mode-mismatch",
  "account-id-mismatch",
  "account-not-active",
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

export interface GuardResult {
  readonly rule: GuardRule;
  readonly ok: boolean;
  readonly detail: string;
}

export type Kind = "paper" | "live" | "unknown";

/** Alpaca key ids start with PK for paper accounts and AK for live ones. */
export function keyKind(keyId: string): Kind {
  if (keyId.startsWith("PK")) return "paper";
  if (keyId.startsWith("AK")) return "live";
  return "unknown";
}

export function urlKind(baseUrl: string): Kind {
  const host = new URL(baseUrl).hostname;
  if (host === new URL(ALPACA_PAPER_URL).hostname) return "paper";
  if (host === new URL(ALPACA_LIVE_URL).hostname) return "live";
  return "unknown";
}

export function defaultBaseUrl(binding: AccountBindingManifest): string {
  return binding.baseUrl ?? (binding.mode === "live" ? ALPACA_LIVE_URL : ALPACA_PAPER_URL);
}

export interface PreflightFacts {
  readonly environment: EnvironmentName;
  readonly binding: AccountBindingManifest;
  readonly liveTrading: boolean;
  readonly keyId?: string;
  readonly baseUrl: string;
  /** environments (other than this one) where the same credential fingerprint is bound */
  readonly sameKeyElsewhere: readonly string[];
}

/** The guards that need no network: they run before the broker is called at all. */
export function preflightGuards(f: PreflightFacts): GuardResult[] {
  const live = f.binding.mode === "live";
  const key = f.keyId ? keyKind(f.keyId) : "unknown";
  const url = urlKind(f.baseUrl);
  return [
    {
      rule: "live-outside-production",
      ok: !live || f.environment === "production",
      detail: live ? `live account bound in ${f.environment}` : "paper account",
    },
    {
      rule: "live-not-enabled",
      ok: !live || f.liveTrading,
      detail: live
        ? f.liveTrading
          ? "liveTrading: true"
          : "the project does not set liveTrading: true"
        : "paper account",
    },
    {
      rule: "mixed-credentials",
      ok: f.sameKeyElsewhere.length === 0,
      detail: f.sameKeyElsewhere.length
        ? `dev and prod credentials mixed: the key bound to ${f.environment} is also bound to ${f.sameKeyElsewhere.join(", ")}`
        : "the key is bound to this environment only",
    },
    {
      rule: "key-url-mismatch",
      ok: key === "unknown" || url === "unknown" || key === url,
      detail: `${key} key, ${url} endpoint`,
    },
    {
      rule: "binding-url-mismatch",
      ok: url === "unknown" || url === f.binding.mode,
      detail: `binding says ${f.binding.mode}, endpoint is ${url}`,
    },
  ];
}

export interface BrokerAccount {
  readonly id: string;
  readonly accountNumber: string;
  readonly status: string;
  readonly currency: string;
  readonly buyingPower: string;
  readonly cash: string;
  readonly equity: string;
  /** what the broker says: Alpaca paper account numbers start with PA */
  readonly kind: Kind;
}

/** The guards that compare the broker's answer with the binding. */
export function accountGuards(binding: AccountBindingManifest, account: BrokerAccount): GuardResult[] {
  const idMatches =
    !binding.accountId || binding.accountId === account.id || binding.accountId === account.accountNumber;
  return [
    {
      rule: "broker-mode-mismatch",
      ok: account.kind === binding.mode,
      detail: `broker reports a ${account.kind} account, the binding says ${binding.mode}`,
    },
    {
      rule: "account-id-mismatch",
      ok: idMatches,
      detail: binding.accountId
        ? `expected ${binding.accountId}, broker reports ${account.accountNumber}`
        : "no account id bound",
    },
    { rule: "account-not-active", ok: account.status === "ACTIVE", detail: `status ${account.status}` },
  ];
}
