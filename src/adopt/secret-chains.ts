/** The secrets a proposal declares for a project: names from what was found, a source chain per environment, never a value. */
import { posix } from "node:path";
import { canonicalEnvironment, type EnvironmentName } from "../environment/names.js";
import { isProcessCritical } from "../workspace/rules.js";
import type { DetectedProject } from "./detect.js";
import { describeFinding } from "./secrets.js";

/** Variables a frontend build inlines into the files it serves. */
const PUBLIC_BUNDLE = /^(VITE|NEXT_PUBLIC|REACT_APP|VUE_APP|PUBLIC)_/;
const ENV_SEGMENTS = new Set(["dev", "development", "prod", "production", "staging", "stage", "test", "live", "paper"]);

/** Where a proposed secret was seen: its variable in code and dotenv files, its config keys. */
export function seenAt(p: DetectedProject, secret: string): string[] {
  return p.secrets
    .filter((f) => (f.kind === "config" ? secretNameOfKey(f.name) === secret : f.name === secret))
    .map(describeFinding);
}

/** `alpaca.dev.api_key` → ALPACA_API_KEY, `exchange.accessKey` → EXCHANGE_ACCESS_KEY: without the environment segment. */
export function secretNameOfKey(key: string): string {
  return key
    .split(".")
    .filter((s) => !ENV_SEGMENTS.has(s.toLowerCase()))
    .map((s) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2"))
    .join("_")
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, "_");
}

export function secretChains(
  p: DetectedProject,
  name: string,
  workspace: string,
  environments: readonly EnvironmentName[],
  toFill: string[],
): Record<string, unknown> {
  const names = new Set<string>();
  const configKeys = new Map<string, string[]>();
  for (const f of p.secrets) {
    const n = f.kind === "config" ? secretNameOfKey(f.name) : f.name;
    if (isProcessCritical(n)) continue;
    if (p.kind === "frontend" && PUBLIC_BUNDLE.test(n)) {
      const line = `${n} of ${name} (${describeFinding(f)}) looks like a secret, but a ${n.split("_")[0]}_ variable is compiled into the public bundle: keep secrets on the server`;
      if (!toFill.includes(line)) toFill.push(line);
      continue;
    }
    names.add(n);
    if (f.kind === "config" && !configKeys.get(n)?.includes(f.name))
      configKeys.set(n, [...(configKeys.get(n) ?? []), f.name]);
  }
  const out: Record<string, unknown> = {};
  for (const secret of [...names].sort()) {
    const perEnv: Record<string, unknown> = {};
    for (const env of environments) {
      const sources: string[] = [];
      // the developer's own `.env.local` (never committed, never deployed) comes first in development
      if (env === "development")
        for (const f of p.secrets.filter((x) => x.name === secret && posix.basename(x.file) === ".env.local"))
          sources.push(`dotenv:${posix.relative(p.path, f.file)}#${secret}`);
      for (const e of p.envFiles.filter((f) => f.environment === env && f.keys.includes(secret))) {
        sources.push(`dotenv:${posix.relative(p.path, e.file)}#${secret}`);
      }
      const keys = configKeys.get(secret) ?? [];
      const configKey =
        keys.find((k) => k.split(".").some((s) => canonicalEnvironment(s) === env)) ??
        (env === "development" ? keys.find((k) => !k.split(".").some((s) => canonicalEnvironment(s))) : undefined);
      if (env === "development" || env === "test") {
        sources.push(`env:${secret}`);
        if (configKey) sources.push(`config:${configKey}`);
        perEnv[env] = env === "test" ? { sources, optional: true } : sources;
        continue;
      }
      // the template says where the shop keeps it: `FROM_AWS_SECRETS` under alpaca.production.api_key
      const managed = p.secrets.some((f) => f.kind === "config" && f.name === configKey && f.store === "aws-secrets");
      if (!sources.length && configKey && managed) {
        const segment = configKey.split(".").find((s) => canonicalEnvironment(s) === env) ?? env;
        const id = `${secret.toLowerCase().replaceAll("_", "-")}-${segment.toLowerCase()}`;
        sources.push(`aws-secrets:${id}`);
        toFill.push(
          `secret ${secret} of ${name} in ${env}: store it in AWS Secrets Manager as ${id}, as ${configKey} says (or change its source)`,
        );
      }
      if (!sources.length) {
        const parameter = `/${workspace}/${env}/${name}/${secret}`;
        sources.push(`aws-ssm:${parameter}`);
        toFill.push(
          `secret ${secret} of ${name} in ${env}: store it as the SSM parameter ${parameter} (or change its source)`,
        );
      }
      perEnv[env] = sources;
    }
    out[secret] = perEnv;
  }
  return out;
}
