/**
 * Account guards (SPEC §7), as pure functions over what is known: the binding, the environment, the project's
 * live enablement, the credentials' fingerprints and, after the broker answered, the account it reports.
 * A refusal names its rule; any refusal stops orders before an order endpoint is ever called.
 */
import { ALPACA_LIVE_URL, ALPACA_PAPER_URL } from "../adapters/alpaca/client.js";
import type { EnvironmentName } from "../environment/names.js";
import type { AccountBindingManifest } from "../workspace/schema.js";

export const GUARD_RULES = [
  "endpoint-invalid",
  "live-key-on-paper-binding",
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

/** Alpaca key ids start with PK for paper accounts and AK for live ones (in any case, around any spaces). */
export function keyKind(keyId: string): Kind {
  const key = keyId.trim().toUpperCase();
  if (key.startsWith("PK")) return "paper";
  if (key.startsWith("AK")) return "live";
  return "unknown";
}

/** A broker URL as it will be connected to, or why it cannot be used. */
export interface BrokerEndpoint {
  /** scheme, host, port (when not the default) and path, without a trailing slash */
  readonly url: string;
  /** lower-case, percent-decoded, without trailing dots: what the guards compare */
  readonly host: string;
  readonly problem?: string;
}

/**
 * Parses and normalises a broker URL the way a client resolves it (WHATWG URL: case, percent-encoding, IDNA
 * dots, default ports), then drops the trailing dots of a fully qualified name, so that no spelling of the live
 * host passes for an unknown one. User info in the URL is refused: it is a classic way to disguise a host.
 */
export function brokerEndpoint(raw: string): BrokerEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return { url: raw, host: "", problem: "the base URL does not parse" };
  }
  const host = parsed.hostname.replace(/\.+$/, "");
  const port = parsed.port ? `:${parsed.port}` : "";
  const path = parsed.pathname.replace(/\/+$/, "");
  const url = `${parsed.protocol}//${host.includes(":") ? `[${host.replace(/^\[|\]$/g, "")}]` : host}${port}${path}`;
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    return { url, host, problem: `the base URL's scheme ${parsed.protocol} is not http or https` };
  if (parsed.username || parsed.password) return { url, host, problem: "the base URL carries user info" };
  if (parsed.search || parsed.hash) return { url, host, problem: "the base URL carries a query or fragment" };
  return { url, host };
}

const PAPER_HOST = new URL(ALPACA_PAPER_URL).hostname;
const LIVE_HOST = new URL(ALPACA_LIVE_URL).hostname;

export function urlKind(baseUrl: string): Kind {
  const { host } = brokerEndpoint(baseUrl);
  if (host === PAPER_HOST) return "paper";
  if (host === LIVE_HOST) return "live";
  return "unknown";
}

/** The binding's trading URL, normalised: the one URL both the guards and the client use. */
export function defaultBaseUrl(binding: AccountBindingManifest): string {
  return brokerEndpoint(binding.baseUrl ?? (binding.mode === "live" ? ALPACA_LIVE_URL : ALPACA_PAPER_URL)).url;
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
  const endpoint = brokerEndpoint(f.baseUrl);
  return [
    {
      rule: "endpoint-invalid",
      ok: !endpoint.problem,
      detail: endpoint.problem ?? `${endpoint.host} (${url})`,
    },
    {
      // a live key is only ever used by a live binding (which the rules below confine to production and to an
      // explicit enablement): on a paper binding it is refused whatever the endpoint, known or not
      rule: "live-key-on-paper-binding",
      ok: !(key === "live" && !live),
      detail: key === "live" && !live ? `a live key on a ${f.binding.mode} binding (${url} endpoint)` : `${key} key`,
    },
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
