/**
 * A secret planted in every provider — AWS Secrets Manager, SSM, a dotenv file, a config file, an environment
 * variable, a command's output — never appears, raw or encoded (JSON-escaped, URL-encoded, base64, base64url), in
 * stdout, stderr, --json or --verbose output of any command, on success or failure, nor in any file the commands
 * leave in the workspace (other than the files the secrets were planted in).
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SecretScrubber } from "../../src/logging/scrubber.js";
import { type FakeAws, startFakeAws } from "../helpers/aws-server.js";
import { cli, copyWorkspace } from "../helpers/cli.js";

const PLANTED = {
  aws: "PKPLANTEDAWSSECRET0001",
  ssm: "planted-ssm-parameter-value-02",
  dotenv: "planted-dotenv-token-value-03",
  config: "PKPLANTEDLOCALCONFIG04",
  // characters that every encoding changes: the JSON, URL and base64 forms all differ from the raw value
  env: 'planted env "secret"/value+05',
  exec: "planted-exec-output-value-06",
};

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws();
});
afterAll(() => aws.close());

it("no command prints a secret from any provider", async () => {
  const dir = copyWorkspace();
  const manifest = join(dir, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8").replace(
      "exec:printf %s-%s dev control-token",
      "exec:printf %s-%s planted-exec-output value-06",
    ),
  );
  writeFileSync(join(dir, "argo/config/local.yaml"), `alpaca:\n  dev:\n    secret_key: ${PLANTED.config}\n`);
  chmodSync(join(dir, "argo/config/local.yaml"), 0o600);
  writeFileSync(join(dir, "signal-lab/.env.local"), `MARKET_DATA_TOKEN=${PLANTED.dotenv}\n`);
  aws.secrets.set("alpaca-api-key-dev", PLANTED.aws);
  aws.parameters.set("/desk/staging/alpaca/API_KEY", PLANTED.ssm);
  aws.denied.add("alpaca-api-key-production");
  const env = {
    ...aws.env(),
    PATH: process.env.PATH ?? "",
    ANALYTICS_API_KEY: PLANTED.env,
    ARGO_ALPACA__DEV__API_KEY: PLANTED.env,
  };

  const detector = new SecretScrubber();
  for (const [name, value] of Object.entries(PLANTED)) detector.add(value, name);
  const planted = new Set(["argo/config/local.yaml", "signal-lab/.env.local"]);

  let failures = 0;
  let runs = 0;
  for (const mode of [[], ["--json"], ["--verbose"]]) {
    for (const args of [
      ["secrets", "check"],
      ["secrets", "check", "argo"],
      ["--env", "staging", "secrets", "check"],
      ["--env", "production", "secrets", "check", "argo"],
      ["config", "show", "argo"],
      ["config", "show", "argo", "--sources"],
      ["config", "check", "--all-envs"],
      ["secrets", "scan"],
      ["run", "signal-lab", "--", "true"],
      ["run", "argo", "--", "sh", "-c", "exit 4"],
      ["--env", "production", "run", "argo", "--", "true"],
      ["env"],
      ["projects"],
      ["accounts", "check", "argo"],
      ["signals", "verify"],
      ["history", "--env", "staging"],
      ["releases", "alpine-backend", "--env", "staging"],
      ["lock", "status", "alpine-backend", "--env", "staging"],
      ["--env", "staging", "gates", "alpine-backend"],
    ]) {
      const { code, stdout, stderr } = await cli(["--workspace", dir, ...mode, ...args], { env });
      runs++;
      if (code !== 0) failures++;
      for (const value of Object.values(PLANTED)) {
        expect(stdout, `${args.join(" ")} stdout`).not.toContain(value);
        expect(stderr, `${args.join(" ")} stderr`).not.toContain(value);
      }
      expect(detector.leaks(stdout + stderr), `${args.join(" ")}: an encoded form`).toBe(false);
    }
  }
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.isFile() ? [join(d, e.name)] : [],
    );
  const leaking = walk(dir)
    .map((p) => relative(dir, p))
    .filter((p) => !planted.has(p) && detector.leaks(readFileSync(join(dir, p)).toString("latin1")));
  expect(leaking).toEqual([]);
  expect(failures).toBeGreaterThan(runs / 5);
  expect(aws.calls.length).toBeGreaterThan(0);
});
