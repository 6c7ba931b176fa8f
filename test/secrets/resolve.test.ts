import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import type { EnvironmentName } from "../../src/environment/names.js";
import { ensureSecrets, resolveSecrets, SecretCache } from "../../src/secrets/resolve.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { type FakeAws, startFakeAws } from "../helpers/aws-server.js";
import { copyWorkspace } from "../helpers/cli.js";

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws();
});
afterAll(() => aws.close());

async function resolveArgo(
  dir: string,
  environment: EnvironmentName,
  extra: Record<string, string> = {},
  cache?: SecretCache,
) {
  const workspace = loadWorkspace({ workspace: dir });
  const env = { ...aws.env(), ...extra };
  const config = await resolveConfig({ workspace, project: "argo", environment, env });
  return resolveSecrets({
    workspace,
    project: "argo",
    environment,
    env,
    config: config.value?.values ?? config.merged,
    names: ["ALPACA_API_KEY"],
    cache,
  });
}

describe("the seed's development chain: aws-secrets → config → env", () => {
  it("each source wins when the ones before it are knocked out", async () => {
    const dir = copyWorkspace();
    writeFileSync(join(dir, "argo/config/local.yaml"), "alpaca:\n  dev:\n    api_key: PKFROMLOCALCONFIG00001\n");
    chmodSync(join(dir, "argo/config/local.yaml"), 0o600);
    const env = { ALPACA_API_KEY: "PKFROMENVIRONMENT00001" };
    aws.secrets.set("alpaca-api-key-dev", "PKFROMAWSSECRETS000001");

    let [s] = (await resolveArgo(dir, "development", env)).secrets;
    expect([s!.source, s!.secret!.reveal()]).toEqual(["aws-secrets:alpaca-api-key-dev", "PKFROMAWSSECRETS000001"]);

    aws.secrets.delete("alpaca-api-key-dev");
    [s] = (await resolveArgo(dir, "development", env)).secrets;
    expect([s!.source, s!.secret!.reveal()]).toEqual(["config:alpaca.dev.api_key", "PKFROMLOCALCONFIG00001"]);
    expect(s!.attempts.map((a) => a.outcome)).toEqual(["missing", "value", "not tried"]);

    rmSync(join(dir, "argo/config/local.yaml"));
    [s] = (await resolveArgo(dir, "development", env)).secrets;
    expect([s!.source, s!.secret!.reveal()]).toEqual(["env:ALPACA_API_KEY", "PKFROMENVIRONMENT00001"]);
    expect(s!.attempts[1]).toMatchObject({
      outcome: "missing",
      reason: "config key alpaca.dev.api_key holds a placeholder",
    });

    const none = await resolveArgo(dir, "development", { ALPACA_API_KEY: "" });
    expect(none.secrets[0]!.secret).toBeUndefined();
    expect(() => ensureSecrets(none)).toThrow(/did not resolve in development/);
    try {
      ensureSecrets(none);
    } catch (error) {
      expect((error as { problems: { message: string }[] }).problems[0]!.message).toBe(
        "no value from aws-secrets:alpaca-api-key-dev, config:alpaca.dev.api_key, env:ALPACA_API_KEY",
      );
    }
  });
});

describe("the seed's production chain: aws-secrets production → aws-secrets generic → config (last resort)", () => {
  it("falls through in order and warns about the last resort", async () => {
    const dir = copyWorkspace();
    const config = { ARGO_ALPACA__PRODUCTION__API_KEY: "AKFROMCONFIGLASTRESORT" };
    aws.secrets.set("alpaca-api-key-production", "AKPRODUCTIONPRIMARY001");
    aws.secrets.set("alpaca-api-key", "AKGENERICFALLBACK00001");

    let report = await resolveArgo(dir, "production", config);
    expect(report.secrets[0]!.source).toBe("aws-secrets:alpaca-api-key-production");
    expect(report.warnings).toEqual([]);

    aws.secrets.delete("alpaca-api-key-production");
    report = await resolveArgo(dir, "production", config);
    expect(report.secrets[0]!.source).toBe("aws-secrets:alpaca-api-key");

    aws.secrets.delete("alpaca-api-key");
    report = await resolveArgo(dir, "production", config);
    expect(report.secrets[0]).toMatchObject({ source: "config:alpaca.production.api_key", lastResort: true });
    expect(report.warnings[0]).toContain("the last resort in production");
    expect(JSON.stringify(report)).not.toContain("AKFROMCONFIGLASTRESORT");
  });
  it("fails closed when a provider refuses access: the fallback is not used", async () => {
    const dir = copyWorkspace();
    aws.secrets.set("alpaca-api-key", "AKGENERICFALLBACK00001");
    aws.denied.add("alpaca-api-key-production");
    try {
      const report = await resolveArgo(dir, "production");
      const [s] = report.secrets;
      expect(s!.secret).toBeUndefined();
      expect(s!.error).toContain("aws-secrets:alpaca-api-key-production failed: AccessDeniedException");
      expect(s!.authFailure).toBe(true);
      expect(() => ensureSecrets(report)).toThrow(expect.objectContaining({ code: "TRO_ERR_SECRET_PROVIDER" }));
    } finally {
      aws.denied.clear();
      aws.secrets.clear();
    }
  });
});

describe("remote values", () => {
  it("are read in batches and cached with a TTL, and read again after invalidation", async () => {
    const dir = copyWorkspace();
    const workspace = loadWorkspace({ workspace: dir });
    aws.secrets.set("alpaca-api-key-dev", "PKBATCH000000000000001");
    aws.secrets.set("alpaca-secret-key-dev", "batch-secret-value-0001");
    let now = 0;
    const cache = new SecretCache(60_000, () => now);
    const resolveBoth = () =>
      resolveSecrets({
        workspace,
        project: "argo",
        environment: "development",
        env: aws.env(),
        names: ["ALPACA_API_KEY", "ALPACA_SECRET_KEY"],
        cache,
      });
    aws.calls.length = 0;
    const first = await resolveBoth();
    expect(first.secrets.map((s) => s.source)).toEqual([
      "aws-secrets:alpaca-api-key-dev",
      "aws-secrets:alpaca-secret-key-dev",
    ]);
    expect(aws.calls.map((c) => c.target)).toEqual(["secretsmanager.BatchGetSecretValue"]);

    now = 30_000;
    const cached = await resolveBoth();
    expect(aws.calls).toHaveLength(1);
    expect(cached.secrets[0]!.cacheAgeMs).toBe(30_000);

    now = 61_000;
    await resolveBoth();
    expect(aws.calls).toHaveLength(2);

    cache.invalidate();
    await resolveBoth();
    expect(aws.calls).toHaveLength(3);
    aws.secrets.clear();
  });
  it("fall back to one GetSecretValue per secret when BatchGetSecretValue is not permitted", async () => {
    const workspace = loadWorkspace({ workspace: copyWorkspace() });
    aws.secrets.set("alpaca-api-key-dev", "PKSINGLE00000000000001");
    aws.secrets.set("alpaca-secret-key-dev", "single-secret-value-01");
    aws.deniedTargets.add("secretsmanager.BatchGetSecretValue");
    aws.calls.length = 0;
    try {
      const report = await resolveSecrets({
        workspace,
        project: "argo",
        environment: "development",
        env: aws.env(),
        names: ["ALPACA_API_KEY", "ALPACA_SECRET_KEY"],
      });
      expect(report.secrets.every((s) => s.secret)).toBe(true);
      expect(aws.calls.map((c) => c.target)).toEqual([
        "secretsmanager.BatchGetSecretValue",
        "secretsmanager.GetSecretValue",
        "secretsmanager.GetSecretValue",
      ]);
    } finally {
      aws.deniedTargets.clear();
      aws.secrets.clear();
    }
  });
  it("read SSM parameters under one path with one GetParametersByPath, decrypted", async () => {
    const workspace = loadWorkspace({ workspace: copyWorkspace() });
    aws.parameters.set("/desk/staging/alpaca/API_KEY", "PKSTAGINGSSM000000001");
    aws.parameters.set("/desk/staging/alpaca/API_SECRET", "staging-ssm-secret-0001");
    aws.calls.length = 0;
    const report = await resolveSecrets({
      workspace,
      project: "argo",
      environment: "staging",
      env: aws.env(),
      names: ["ALPACA_API_KEY", "ALPACA_SECRET_KEY"],
    });
    expect(report.secrets.map((s) => s.secret?.reveal())).toEqual(["PKSTAGINGSSM000000001", "staging-ssm-secret-0001"]);
    expect(aws.calls).toEqual([
      {
        target: "AmazonSSM.GetParametersByPath",
        body: expect.objectContaining({ Path: "/desk/staging/alpaca", WithDecryption: true }),
      },
    ]);
    aws.parameters.clear();
  });
  it("a single SSM parameter is read with GetParameter; not found falls through", async () => {
    const workspace = loadWorkspace({ workspace: copyWorkspace() });
    aws.parameters.set("/desk/staging/argo/CONTROL_TOKEN", "staging-control-token-1");
    aws.calls.length = 0;
    const report = await resolveSecrets({
      workspace,
      project: "argo",
      environment: "staging",
      env: aws.env(),
      names: ["CONTROL_TOKEN"],
    });
    expect(report.secrets[0]!.secret?.reveal()).toBe("staging-control-token-1");
    expect(aws.calls[0]!.target).toBe("AmazonSSM.GetParameter");
    aws.parameters.clear();
    const gone = await resolveSecrets({
      workspace,
      project: "argo",
      environment: "staging",
      env: aws.env(),
      names: ["CONTROL_TOKEN"],
    });
    expect(gone.secrets[0]!.attempts[0]).toMatchObject({ outcome: "missing", reason: "not found" });
  });
  it("JSON secrets give one key with #key", async () => {
    const dir = copyWorkspace();
    const manifest = join(dir, "tradeops.yaml");
    const { readFileSync } = await import("node:fs");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace(
        "[aws-secrets:alpine/staging/analytics-api-key]",
        "[aws-secrets:alpine/staging#analytics]",
      ),
    );
    aws.secrets.set("alpine/staging", JSON.stringify({ analytics: "json-field-secret-0001", other: "x" }));
    const report = await resolveSecrets({
      workspace: loadWorkspace({ workspace: dir }),
      project: "alpine-backend",
      environment: "staging",
      env: aws.env(),
    });
    expect(report.secrets[0]!.secret?.reveal()).toBe("json-field-secret-0001");
    aws.secrets.clear();
  });
  it("are skipped without a network call on a development machine with no AWS credentials", async () => {
    const workspace = loadWorkspace({ workspace: copyWorkspace() });
    aws.calls.length = 0;
    const report = await resolveSecrets({
      workspace,
      project: "argo",
      environment: "development",
      env: { HOME: "/nonexistent", ALPACA_API_KEY: "PKENVONLY0000000000001" },
      names: ["ALPACA_API_KEY"],
    });
    expect(report.secrets[0]!.source).toBe("env:ALPACA_API_KEY");
    expect(report.secrets[0]!.attempts[0]).toMatchObject({
      outcome: "missing",
      reason: "no AWS credentials configured",
    });
    expect(aws.calls).toHaveLength(0);
  });
});

describe("local providers", () => {
  it("exec: runs a command in the project directory; a failing command fails closed", async () => {
    const workspace = loadWorkspace({ workspace: copyWorkspace() });
    const ok = await resolveSecrets({
      workspace,
      project: "argo",
      environment: "development",
      env: { PATH: process.env.PATH },
      names: ["CONTROL_TOKEN"],
    });
    expect(ok.secrets[0]).toMatchObject({ source: "exec:printf %s-%s dev control-token" });
    expect(ok.secrets[0]!.secret!.reveal()).toBe("dev-control-token");

    const dir = copyWorkspace();
    const manifest = join(dir, "tradeops.yaml");
    const { readFileSync } = await import("node:fs");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace("exec:printf %s-%s dev control-token", "exec:echo partial; exit 3"),
    );
    const failed = await resolveSecrets({
      workspace: loadWorkspace({ workspace: dir }),
      project: "argo",
      environment: "development",
      env: { PATH: process.env.PATH },
      names: ["CONTROL_TOKEN"],
    });
    expect(failed.secrets[0]).toMatchObject({ error: "exec:echo partial; exit 3 failed: command exited with code 3" });
    expect(failed.secrets[0]!.secret).toBeUndefined();
  });
  it("dotenv: reads KEY from a file next to the project; empty values are no value", async () => {
    const dir = copyWorkspace();
    writeFileSync(join(dir, "signal-lab/.env.local"), "MARKET_DATA_TOKEN=dotenv-token-value-0001\nOTHER=\n");
    const workspace = loadWorkspace({ workspace: dir });
    const report = await resolveSecrets({
      workspace,
      project: "signal-lab",
      environment: "development",
      env: { MARKET_DATA_TOKEN: "" },
    });
    expect(report.secrets[0]!.attempts[0]).toMatchObject({ outcome: "missing", reason: "empty value" });
    expect(report.secrets[0]).toMatchObject({ source: "dotenv:.env.local#MARKET_DATA_TOKEN" });
  });
  it("dotenv: a file that is not there is named by its full path, which says where a relative one was looked for", async () => {
    const dir = copyWorkspace();
    writeFileSync(join(dir, ".env.local"), "MARKET_DATA_TOKEN=at-the-root-0001\n");
    const report = await resolveSecrets({
      workspace: loadWorkspace({ workspace: dir }),
      project: "signal-lab",
      environment: "development",
      env: {},
    });
    expect(report.secrets[0]!.attempts[1]).toMatchObject({
      outcome: "missing",
      reason: `${join(dir, "signal-lab/.env.local")} does not exist (a dotenv path is relative to the project)`,
    });
  });
});
