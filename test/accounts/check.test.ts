/**
 * Account guards against local Alpaca trading API servers (one paper, one live): every refusal exits 77 naming
 * its rule, and no order endpoint is ever reached; a good binding prints the account and never a key.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";
import { type FakeAws, startFakeAws } from "../helpers/aws-server.js";
import { cli, copyWorkspace } from "../helpers/cli.js";

const PAPER_KEY = { keyId: "PKTESTPAPERKEY00000001", secretKey: "paper-secret-value-000001" };
const PAPER_KEY_2 = { keyId: "PKTESTPAPERKEY00000002", secretKey: "paper-secret-value-000002" };
const LIVE_KEY = { keyId: "AKTESTLIVEKEY000000001", secretKey: "live-secret-value-0000001" };
const ALL_VALUES = [PAPER_KEY, PAPER_KEY_2, LIVE_KEY].flatMap((k) => [k.keyId, k.secretKey]);

let paper: AlpacaServer;
let live: AlpacaServer;
let aws: FakeAws;
beforeAll(async () => {
  paper = await startAlpacaServer({ kind: "paper", keys: [PAPER_KEY, PAPER_KEY_2] });
  live = await startAlpacaServer({ kind: "live", keys: [LIVE_KEY] });
  aws = await startFakeAws();
});
afterAll(async () => {
  await Promise.all([paper.close(), live.close(), aws.close()]);
});
afterEach(() => {
  paper.calls.length = 0;
  live.calls.length = 0;
  aws.secrets.clear();
});

type Binding = Record<string, unknown>;

/** The desk with argo's account bindings replaced. */
function desk(bindings: Record<string, Binding>, liveTrading = false): string {
  const dir = copyWorkspace();
  const path = join(dir, "tradeops.yaml");
  const manifest = parse(readFileSync(path, "utf8"));
  const credentials = { keyId: "ALPACA_API_KEY", secretKey: "ALPACA_SECRET_KEY" };
  manifest.projects.argo.accounts = Object.fromEntries(
    Object.entries(bindings).map(([env, b]) => [env, { broker: "alpaca", credentials, ...b }]),
  );
  manifest.projects.argo.liveTrading = liveTrading;
  writeFileSync(path, stringify(manifest));
  return dir;
}

const devEnv = (key: { keyId: string; secretKey: string }) => ({
  ...aws.env(),
  PATH: process.env.PATH ?? "",
  ALPACA_API_KEY: key.keyId,
  ALPACA_SECRET_KEY: key.secretKey,
});

async function check(dir: string, environment: string, env: Record<string, string>, json = false) {
  const result = await cli(
    ["--workspace", dir, "--env", environment, ...(json ? ["--json"] : []), "accounts", "check", "argo"],
    { env },
  );
  for (const value of ALL_VALUES) expect(result.stdout + result.stderr).not.toContain(value);
  return result;
}

function expectNoOrders() {
  expect(paper.orderCalls()).toEqual([]);
  expect(live.orderCalls()).toEqual([]);
}

describe("a good binding", () => {
  it("prints name, number, paper/live, status and buying power, and records the fingerprint", async () => {
    const dir = desk({
      development: { mode: "paper", baseUrl: paper.url, accountName: "Dev Trading Account", accountId: "PA3RS0M2X1YZ" },
    });
    const { code, stdout } = await check(dir, "development", devEnv(PAPER_KEY));
    expect(code, stdout).toBe(0);
    expect(stdout).toContain("account      Dev Trading Account");
    expect(stdout).toContain("number       PA3RS0M2X1YZ (paper, ACTIVE)");
    expect(stdout).toContain("buying power 200000.0 USD");
    expect(stdout).toContain("credentials  from env:ALPACA_API_KEY");
    expect(paper.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["GET /v2/account"]);
    const registry = JSON.parse(readFileSync(join(dir, "tradeops.fingerprints.json"), "utf8"));
    expect(Object.keys(registry.fingerprints)).toEqual(["development"]);
    expect(JSON.stringify(registry)).not.toContain(PAPER_KEY.keyId);

    const json = await check(dir, "development", devEnv(PAPER_KEY), true);
    expect(JSON.parse(json.stdout).accounts[0]).toMatchObject({
      ok: true,
      mode: "paper",
      account: { kind: "paper", status: "ACTIVE" },
    });
  });
});

describe("refusals exit 77, name the rule and reach no order endpoint", () => {
  it("dev and prod credentials mixed: the same key recorded for development is refused in production", async () => {
    const dir = desk({
      development: { mode: "paper", baseUrl: paper.url },
      production: { mode: "paper", baseUrl: paper.url },
    });
    expect((await check(dir, "development", devEnv(PAPER_KEY))).code).toBe(0);
    aws.secrets.set("alpaca-api-key-production", PAPER_KEY.keyId);
    aws.secrets.set("alpaca-secret-key-production", PAPER_KEY.secretKey);
    paper.calls.length = 0;
    const { code, stderr } = await check(dir, "production", { ...aws.env(), PATH: process.env.PATH ?? "" });
    expect(code).toBe(77);
    expect(stderr).toContain(
      "mixed-credentials: dev and prod credentials mixed: the key bound to production is also bound to development",
    );
    expect(paper.calls).toEqual([]);
  });
  it("dev and prod credentials mixed: found in the secret manager even when never recorded", async () => {
    const dir = desk({
      development: { mode: "paper", baseUrl: paper.url },
      production: { mode: "paper", baseUrl: paper.url },
    });
    aws.secrets.set("alpaca-api-key-production", PAPER_KEY_2.keyId);
    aws.secrets.set("alpaca-secret-key-production", PAPER_KEY_2.secretKey);
    aws.secrets.set("alpaca-api-key-dev", PAPER_KEY_2.keyId);
    const { code, stderr } = await check(dir, "production", { ...aws.env(), PATH: process.env.PATH ?? "" });
    expect(code).toBe(77);
    expect(stderr).toContain("also bound to development (argo)");
    expectNoOrders();
  });
  it("a paper key pointed at the live URL is refused before any call", async () => {
    const dir = desk({ development: { mode: "paper", baseUrl: "https://api.alpaca.markets" } });
    const { code, stderr } = await check(dir, "development", devEnv(PAPER_KEY));
    expect(code).toBe(77);
    expect(stderr).toContain("key-url-mismatch: paper key, live endpoint");
    expect(stderr).toContain("binding-url-mismatch: binding says paper, endpoint is live");
  });
  it("a live key pointed at the paper URL is refused before any call", async () => {
    const dir = desk({ development: { mode: "paper", baseUrl: "https://paper-api.alpaca.markets" } });
    const { code, stderr } = await check(dir, "development", devEnv(LIVE_KEY));
    expect(code).toBe(77);
    expect(stderr).toContain("key-url-mismatch: live key, paper endpoint");
  });
  it("a paper key against the live server is rejected by the broker, and refused", async () => {
    const dir = desk({ development: { mode: "paper", baseUrl: live.url } });
    const { code, stderr } = await check(dir, "development", devEnv(PAPER_KEY));
    expect(code).toBe(77);
    expect(stderr).toContain("broker-rejected-credentials");
    expect(live.calls.map((c) => c.path)).toEqual(["/v2/account", "/v2/account"]);
    expectNoOrders();
  });
  it("live outside production is refused", async () => {
    const dir = desk({ staging: { mode: "live", baseUrl: live.url } }, true);
    aws.parameters.set("/desk/staging/alpaca/API_KEY", LIVE_KEY.keyId);
    aws.parameters.set("/desk/staging/alpaca/API_SECRET", LIVE_KEY.secretKey);
    try {
      const { code, stderr } = await check(dir, "staging", { ...aws.env(), PATH: process.env.PATH ?? "" });
      expect(code).toBe(77);
      expect(stderr).toContain("live-outside-production: live account bound in staging");
      expect(live.calls).toEqual([]);
    } finally {
      aws.parameters.clear();
    }
  });
  it("live not enabled for the project is refused", async () => {
    const dir = desk({ production: { mode: "live", baseUrl: live.url } }, false);
    aws.secrets.set("alpaca-api-key-production", LIVE_KEY.keyId);
    aws.secrets.set("alpaca-secret-key-production", LIVE_KEY.secretKey);
    const { code, stderr } = await check(dir, "production", { ...aws.env(), PATH: process.env.PATH ?? "" });
    expect(code).toBe(77);
    expect(stderr).toContain("live-not-enabled: the project does not set liveTrading: true");
    expect(live.calls).toEqual([]);
  });
  it("live enabled in production, but the broker reports a paper account", async () => {
    const dir = desk({ production: { mode: "live", baseUrl: paper.url } }, true);
    aws.secrets.set("alpaca-api-key-production", PAPER_KEY_2.keyId);
    aws.secrets.set("alpaca-secret-key-production", PAPER_KEY_2.secretKey);
    const { code, stderr } = await check(dir, "production", { ...aws.env(), PATH: process.env.PATH ?? "" });
    expect(code).toBe(77);
    expect(stderr).toContain("broker-mode-mismatch: broker reports a paper account, the binding says live");
    expectNoOrders();
  });
  it("live enabled in production with a live account passes", async () => {
    const dir = desk({ production: { mode: "live", baseUrl: live.url } }, true);
    aws.secrets.set("alpaca-api-key-production", LIVE_KEY.keyId);
    aws.secrets.set("alpaca-secret-key-production", LIVE_KEY.secretKey);
    const { code, stdout } = await check(dir, "production", { ...aws.env(), PATH: process.env.PATH ?? "" });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain("(live, ACTIVE)");
  });
  it("an account id that does not match the binding is refused", async () => {
    const dir = desk({ development: { mode: "paper", baseUrl: paper.url, accountId: "PA0000WRONG1" } });
    const { code, stderr } = await check(dir, "development", devEnv(PAPER_KEY));
    expect(code).toBe(77);
    expect(stderr).toContain("account-id-mismatch: expected PA0000WRONG1, broker reports PA3RS0M2X1YZ");
    expectNoOrders();
  });
  it("--json gives the refusal with every guard", async () => {
    const dir = desk({ development: { mode: "paper", baseUrl: paper.url, accountId: "PA0000WRONG1" } });
    const { code, stdout } = await check(dir, "development", devEnv(PAPER_KEY), true);
    expect(code).toBe(77);
    const out = JSON.parse(stdout);
    expect(out.ok).toBe(false);
    expect(out.accounts[0].guards.find((g: { rule: string }) => g.rule === "account-id-mismatch").ok).toBe(false);
  });
});
