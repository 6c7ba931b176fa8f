/** Secret source references (`env:NAME`, `aws-secrets:NAME#key`, …) parsed once into data. */
export const PROVIDERS = ["env", "dotenv", "config", "aws-secrets", "aws-ssm", "exec"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface SourceRef {
  /** as written in the manifest, e.g. `aws-secrets:alpaca-api-key-dev` */
  readonly raw: string;
  readonly provider: ProviderName;
  /** what the provider looks up: a variable, a file, a dotted key, a secret id, a parameter path, a command */
  readonly target: string;
  /** `#key`: a key inside a JSON secret or a dotenv file */
  readonly key?: string;
}

export function parseSource(raw: string): SourceRef {
  const colon = raw.indexOf(":");
  const provider = raw.slice(0, colon) as ProviderName;
  const rest = raw.slice(colon + 1);
  if (provider === "exec") return { raw, provider, target: rest };
  const hash = rest.lastIndexOf("#");
  if (hash > 0 && (provider === "aws-secrets" || provider === "dotenv")) {
    return { raw, provider, target: rest.slice(0, hash), key: rest.slice(hash + 1) };
  }
  return { raw, provider, target: rest };
}

/** The providers whose values live outside this machine and are cached with a TTL. */
export function isRemote(provider: ProviderName): boolean {
  return provider === "aws-secrets" || provider === "aws-ssm";
}
