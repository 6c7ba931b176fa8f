/**
 * AWS Secrets Manager and SSM Parameter Store through the AWS SDK v3 clients. Region, credentials and endpoint
 * come from the usual variables (AWS_REGION, AWS_ACCESS_KEY_ID…, AWS_PROFILE, AWS_ENDPOINT_URL[_SERVICE]), so a
 * local endpoint works unchanged. Not-found means "no value here"; every other failure stops the chain.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { EnvironmentName } from "../../environment/names.js";
import type { SourceRef } from "../sources.js";
import { failure, type Lookup, missing, type ProviderContext, type SecretProvider, value } from "./types.js";

const NOT_FOUND = new Set(["ResourceNotFoundException", "ParameterNotFound"]);
const AUTH = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "ExpiredTokenException",
  "InvalidSignatureException",
  "CredentialsProviderError",
]);
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
const BATCH_LIMIT = 20;
/** Time to open the TCP connection to the AWS endpoint. */
export const AWS_CONNECT_TIMEOUT_MS = 3_000;
/** Time for one request's answer once connected. */
export const AWS_REQUEST_TIMEOUT_MS = 5_000;
/** Attempts per request (the first and one retry): an unreachable endpoint fails in seconds, not minutes. */
export const AWS_MAX_ATTEMPTS = 2;

interface ClientSettings {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}

/**
 * How to build a client from the process environment, or why AWS is skipped: outside staging and production,
 * a machine with no AWS credentials configured does not reach for the instance metadata service.
 */
export function awsSettings(
  env: ProviderContext["env"],
  service: "SECRETS_MANAGER" | "SSM",
  environment: EnvironmentName,
): ClientSettings | { skip: string } {
  const explicit = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  const configured =
    explicit ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    existsSync(join(env.HOME ?? homedir(), ".aws/credentials"));
  const imdsAllowed =
    env.AWS_EC2_METADATA_DISABLED !== "true" && (environment === "staging" || environment === "production");
  if (!configured && !imdsAllowed) return { skip: "no AWS credentials configured" };
  return {
    maxAttempts: AWS_MAX_ATTEMPTS,
    // without throwOnRequestTimeout the handler only warns and keeps waiting
    requestHandler: {
      connectionTimeout: AWS_CONNECT_TIMEOUT_MS,
      requestTimeout: AWS_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint: env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL,
    credentials: explicit
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID!,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined,
  };
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { attempts?: number };
}

/** True when the endpoint could not be reached at all (refused, unknown host, timed out): no other call will do better. */
function unreachable(error: unknown): boolean {
  const e = error as SdkError;
  return (
    NETWORK.has(e?.code ?? "") ||
    e?.name === "TimeoutError" ||
    /ETIMEDOUT|timed out|socket hang up/i.test(e?.message ?? "")
  );
}

/**
 * What went wrong, in the SDK's own words (error name and message) plus what to check: the credentials, the
 * endpoint, the permission, or the name. Never "Error" alone.
 */
export function describeAwsError(error: unknown, endpoint: string | undefined): { text: string; auth: boolean } {
  const e = (error ?? {}) as SdkError;
  const name = e.code && (!e.name || e.name === "Error") ? e.code : (e.name ?? "Error");
  const message = (typeof e.message === "string" ? e.message : "").replace(/\s+/g, " ").trim().slice(0, 300);
  const where = endpoint ?? "the AWS endpoint of the region";
  let hint: string;
  let auth = false;
  if (AUTH.has(name) || /credential/i.test(name)) {
    auth = true;
    hint =
      name === "AccessDeniedException"
        ? "the credentials lack the permission for this secret: check the IAM policy"
        : "check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID…) and that they are current";
  } else if (unreachable(error)) {
    const attempts = e.$metadata?.attempts ?? AWS_MAX_ATTEMPTS;
    hint = `${where} did not answer (${attempts} attempt${attempts === 1 ? "" : "s"}, ${AWS_CONNECT_TIMEOUT_MS / 1000} s to connect, ${AWS_REQUEST_TIMEOUT_MS / 1000} s per request): check AWS_ENDPOINT_URL, AWS_REGION and the network`;
  } else if (NOT_FOUND.has(name)) {
    hint = "check the secret's name and region";
  } else {
    hint = `see the message; the endpoint is ${where}`;
  }
  return { text: `${name}${message ? `: ${message}` : ""} (${hint})`, auth };
}

function classify(error: unknown, endpoint?: string): Lookup {
  const name = (error as SdkError)?.name ?? "Error";
  if (NOT_FOUND.has(name)) return missing("not found");
  const { text, auth } = describeAwsError(error, endpoint);
  return failure(text, auth);
}

function fromSecretString(ref: SourceRef, secretString: string | undefined): Lookup {
  if (secretString === undefined) return missing("the secret holds no string value");
  if (!ref.key) return value(secretString);
  try {
    const parsed = JSON.parse(secretString) as Record<string, unknown>;
    const v = parsed[ref.key];
    if (v === undefined) return missing(`key ${ref.key} is not in the secret`);
    return value(typeof v === "string" ? v : JSON.stringify(v));
  } catch {
    return failure(`the secret is not JSON, so #${ref.key} cannot be read`);
  }
}

export const awsSecretsProvider: SecretProvider = {
  async lookupMany(refs, ctx) {
    const out = new Map<string, Lookup>();
    const settings = awsSettings(ctx.env, "SECRETS_MANAGER", ctx.environment);
    if ("skip" in settings) {
      for (const ref of refs) out.set(ref.raw, missing(settings.skip));
      return out;
    }
    const sm = await import("@aws-sdk/client-secrets-manager");
    const client = new sm.SecretsManagerClient(settings);
    try {
      const ids = [...new Set(refs.map((r) => r.target))];
      const found = new Map<string, Lookup | { secretString?: string }>();
      let batched = false;
      if (ids.length > 1) {
        try {
          for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
            const chunk = ids.slice(i, i + BATCH_LIMIT);
            const response = await client.send(new sm.BatchGetSecretValueCommand({ SecretIdList: chunk }));
            for (const item of response.SecretValues ?? []) {
              const id = chunk.find((c) => c === item.Name || c === item.ARN) ?? item.Name ?? "";
              found.set(id, { secretString: item.SecretString });
            }
            for (const error of response.Errors ?? []) {
              found.set(
                error.SecretId ?? "",
                classify({ name: error.ErrorCode, message: error.Message }, settings.endpoint),
              );
            }
          }
          batched = true;
        } catch (error) {
          // BatchGetSecretValue needs its own permission; fall back to one call per secret — unless the endpoint
          // itself is unreachable, when every further call would wait out the same timeouts
          found.clear();
          if (unreachable(error)) {
            for (const id of ids) found.set(id, classify(error, settings.endpoint));
            batched = true;
          }
        }
      }
      if (!batched) {
        let down: Lookup | undefined;
        for (const id of ids) {
          if (down) {
            found.set(id, down);
            continue;
          }
          try {
            const response = await client.send(new sm.GetSecretValueCommand({ SecretId: id }));
            const text =
              response.SecretString ??
              (response.SecretBinary ? Buffer.from(response.SecretBinary).toString("utf8") : undefined);
            found.set(id, { secretString: text });
          } catch (error) {
            found.set(id, classify(error, settings.endpoint));
            if (unreachable(error)) down = classify(error, settings.endpoint);
          }
        }
      }
      for (const ref of refs) {
        const hit = found.get(ref.target);
        if (!hit) out.set(ref.raw, missing("not found"));
        else if ("kind" in hit) out.set(ref.raw, hit);
        else out.set(ref.raw, fromSecretString(ref, hit.secretString));
      }
      return out;
    } finally {
      client.destroy();
    }
  },
};

/** SSM parameters, decrypted; several parameters under one path are read with one GetParametersByPath. */
export const awsSsmProvider: SecretProvider = {
  async lookupMany(refs, ctx) {
    const out = new Map<string, Lookup>();
    const settings = awsSettings(ctx.env, "SSM", ctx.environment);
    if ("skip" in settings) {
      for (const ref of refs) out.set(ref.raw, missing(settings.skip));
      return out;
    }
    const ssm = await import("@aws-sdk/client-ssm");
    const client = new ssm.SSMClient(settings);
    try {
      const byParent = new Map<string, SourceRef[]>();
      for (const ref of refs) byParent.set(dirname(ref.target), [...(byParent.get(dirname(ref.target)) ?? []), ref]);
      let down: Lookup | undefined;
      for (const [parent, group] of byParent) {
        if (down) {
          for (const ref of group) out.set(ref.raw, down);
          continue;
        }
        if (group.length > 1) {
          const values = new Map<string, string>();
          try {
            let NextToken: string | undefined;
            do {
              const page = await client.send(
                new ssm.GetParametersByPathCommand({ Path: parent, WithDecryption: true, Recursive: false, NextToken }),
              );
              for (const p of page.Parameters ?? []) if (p.Name && p.Value !== undefined) values.set(p.Name, p.Value);
              NextToken = page.NextToken;
            } while (NextToken);
            for (const ref of group) {
              const v = values.get(ref.target);
              out.set(ref.raw, v === undefined ? missing("not found") : value(v));
            }
          } catch (error) {
            for (const ref of group) out.set(ref.raw, classify(error, settings.endpoint));
            if (unreachable(error)) down = classify(error, settings.endpoint);
          }
          continue;
        }
        const ref = group[0]!;
        try {
          const response = await client.send(new ssm.GetParameterCommand({ Name: ref.target, WithDecryption: true }));
          out.set(ref.raw, value(response.Parameter?.Value ?? ""));
        } catch (error) {
          out.set(ref.raw, classify(error, settings.endpoint));
          if (unreachable(error)) down = classify(error, settings.endpoint);
        }
      }
      return out;
    } finally {
      client.destroy();
    }
  },
};
