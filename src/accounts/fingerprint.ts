/**
 * Credential fingerprints: a salted HMAC of a key, never the key, recorded per environment in
 * `tradeops.fingerprints.json` at the workspace root. Committing the file spreads the "same key in two
 * environments" check to every machine; the fingerprints do not reveal the keys.
 */
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import type { Secret } from "../secrets/secret.js";

export const FINGERPRINT_FILE = "tradeops.fingerprints.json";

interface RegistryFile {
  salt: string;
  fingerprints: Partial<Record<EnvironmentName, Record<string, { keyId: string; recordedAt: string }>>>;
}

export interface FingerprintRegistry {
  readonly salt: string;
  fingerprint(secret: Secret): string;
  /** every recorded fingerprint, as (environment, project, fingerprint) */
  entries(): { environment: EnvironmentName; project: string; fingerprint: string }[];
  record(environment: EnvironmentName, project: string, fingerprint: string, now: Date): void;
}

export function fingerprintOf(salt: string, secret: Secret): string {
  return createHmac("sha256", salt).update(secret.reveal()).digest("hex").slice(0, 24);
}

export function openFingerprints(root: string): FingerprintRegistry {
  const path = join(root, FINGERPRINT_FILE);
  const data: RegistryFile = existsSync(path)
    ? (JSON.parse(readFileSync(path, "utf8")) as RegistryFile)
    : { salt: randomBytes(16).toString("hex"), fingerprints: {} };
  return {
    salt: data.salt,
    fingerprint: (secret) => fingerprintOf(data.salt, secret),
    entries: () =>
      Object.entries(data.fingerprints).flatMap(([environment, projects]) =>
        Object.entries(projects ?? {}).map(([project, entry]) => ({
          environment: environment as EnvironmentName,
          project,
          fingerprint: entry.keyId,
        })),
      ),
    record(environment, project, fingerprint, now) {
      data.fingerprints[environment] ??= {};
      const forEnv = data.fingerprints[environment];
      if (forEnv[project]?.keyId === fingerprint) return;
      forEnv[project] = { keyId: fingerprint, recordedAt: now.toISOString() };
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
