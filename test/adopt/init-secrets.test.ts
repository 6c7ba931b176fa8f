/** Which secrets `tradeops init` finds in seed-shaped repositories, where it says it saw them, and that no value leaks. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { hasCredentials, isSecretName, secretOnCommandLine } from "../../src/adopt/secrets.js";
import { cli } from "../helpers/cli.js";
import {
  ALPINE_LOCAL_JWT,
  ARGO_DATABASE_URL,
  alpineRepo,
  argoRepo,
  BASIS_SECRETS,
  basisRepo,
  expectNoValue,
  manifestText,
  TICKS_SECRETS,
  ticksRepo,
} from "../helpers/seed-repos.js";

describe("tradeops init: secrets", () => {
  it("names *_KEY, *_PASS, *_DSN, URLs with credentials and config.json keys as secrets, says where, copies no value", async () => {
    const repo = ticksRepo();
    const json = await cli(["init", "--json"], { cwd: repo.root });
    expect(json.code, json.stderr).toBe(0);
    const out = await cli(["init", "--yes"], { cwd: repo.root });
    expect(out.code, out.stderr).toBe(0);
    const text = manifestText(repo.root);
    const secrets = parse(text).projects.ticks.secrets;
    expect(Object.keys(secrets)).toEqual([
      "FEED_WS_TOKEN",
      "POLYGON_KEY",
      "SENTRY_DSN",
      "TICKS_DB_PASS",
      "TICKS_STORE_URL",
    ]);
    expect(secrets.POLYGON_KEY).toEqual({
      development: ["dotenv:.env#POLYGON_KEY", "env:POLYGON_KEY"],
      test: { sources: ["env:POLYGON_KEY"], optional: true },
      production: ["aws-ssm:/ticks/production/ticks/POLYGON_KEY"],
    });
    expect(secrets.FEED_WS_TOKEN.development).toEqual(["env:FEED_WS_TOKEN", "config:feed.ws_token"]);
    // where each was seen, file:line
    expect(out.stdout).toContain(
      "secret POLYGON_KEY of ticks, seen at src/tick_collector.py:6 (os.environ), .env:2 (dotenv), .env.example:2 (dotenv)",
    );
    expect(out.stdout).toContain("secret TICKS_DB_PASS of ticks, seen at src/tick_collector.py:7 (os.getenv)");
    expect(out.stdout).toContain("secret TICKS_STORE_URL of ticks, seen at .env:4 (credentials in the URL)");
    expect(out.stdout).toContain("secret FEED_WS_TOKEN of ticks, seen at config.json:7 (config feed.ws_token)");
    expect(JSON.parse(json.stdout).secrets).toContainEqual({
      project: "ticks",
      name: "SENTRY_DSN",
      seen: ["src/tick_collector.py:8 (os.getenv)", ".env:5 (dotenv)", ".env.example:5 (dotenv)"],
    });
    expectNoValue(json.stdout + json.stderr + out.stdout + out.stderr + text, Object.values(TICKS_SECRETS));
  });

  it("a shared .env layer's DSN and password, a config.json DSN, process.env reads; a VITE_ token is flagged, not proposed", async () => {
    const basis = basisRepo();
    const b = await cli(["init", "--yes"], { cwd: basis.root });
    expect(b.code, b.stderr).toBe(0);
    const bm = parse(manifestText(basis.root));
    expect(bm.projects.backend.secrets.BASIS_DATABASE_URL.development).toEqual([
      "dotenv:../.env.dev#BASIS_DATABASE_URL",
      "env:BASIS_DATABASE_URL",
    ]);
    expect(bm.projects.backend.secrets.BASIS_REDIS_PASS.production).toEqual([
      "dotenv:../.env.production#BASIS_REDIS_PASS",
    ]);
    expect(bm.projects.frontend.secrets).toBeUndefined();
    expect(b.stdout).toContain(
      "BASIS_SLACK_TOKEN (.env.dev:7 (dotenv)) looks like a secret but no project's code reads it: declare it under the secrets of the project that uses it",
    );
    expect(b.stdout).toContain(
      "VITE_ANALYTICS_TOKEN of frontend (frontend/.env.dev:2 (dotenv)) looks like a secret, but a VITE_ variable is compiled into the public bundle",
    );
    expectNoValue(b.stdout + b.stderr + manifestText(basis.root), [
      ...Object.values(BASIS_SECRETS),
      "dev-exchange-key",
    ]);

    const argo = argoRepo();
    const a = await cli(["init", "--yes"], { cwd: argo.root });
    expect(a.code, a.stderr).toBe(0);
    const am = parse(manifestText(argo.root));
    expect(Object.keys(am.projects.argo.secrets)).toEqual([
      "ALPACA_API_KEY",
      "ALPACA_SECRET_KEY",
      "ARGO_BROKER_PASS",
      "DATABASE_URL",
      "POLYGON_KEY",
    ]);
    expect(am.projects.argo.secrets.DATABASE_URL.development).toEqual(["env:DATABASE_URL", "config:database.url"]);
    expect(a.stdout).toMatch(
      /secret DATABASE_URL of argo, seen at config\.json\.example:\d+ \(config database\.url: credentials in the URL\)/,
    );
    expectNoValue(a.stdout + a.stderr + manifestText(argo.root), [ARGO_DATABASE_URL]);

    const alpine = alpineRepo();
    const n = await cli(["init", "--yes"], { cwd: alpine.root });
    expect(n.code, n.stderr).toBe(0);
    const nm = parse(manifestText(alpine.root));
    expect(Object.keys(nm.projects["alpine-backend"].secrets)).toEqual([
      "DATABASE_URL",
      "JWT_SECRET",
      "STRIPE_SECRET_KEY",
    ]);
    expect(nm.projects["alpine-backend"].secrets.JWT_SECRET.development).toEqual([
      "dotenv:.env.local#JWT_SECRET",
      "env:JWT_SECRET",
    ]);
    expect(n.stdout).toContain("secret JWT_SECRET of alpine-backend, seen at alpine-backend/server.js:4 (process.env)");
    expectNoValue(n.stdout + n.stderr + manifestText(alpine.root), [ALPINE_LOCAL_JWT]);
  });

  it("a template's FROM_AWS_SECRETS names the Secrets Manager secret the shop uses in that environment", async () => {
    const repo = argoRepo();
    const init = await cli(["init", "--yes"], { cwd: repo.root });
    expect(init.code).toBe(0);
    const secrets = parse(manifestText(repo.root)).projects.argo.secrets;
    expect(secrets.ALPACA_API_KEY.production).toEqual(["aws-secrets:alpaca-api-key-production"]);
    expect(secrets.ALPACA_SECRET_KEY.production).toEqual(["aws-secrets:alpaca-secret-key-production"]);
    expect(init.stdout).toContain(
      "secret ALPACA_API_KEY of argo in production: store it in AWS Secrets Manager as alpaca-api-key-production, as alpaca.production.api_key says",
    );
  });
});

describe("tradeops init: odd files", () => {
  it("reads imported getenv/environ and destructured process.env, leaves out names tradeops cannot declare, reads quoted dotenv lines and camelCase config keys, skips a broken config.json", async () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-odd-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, "requirements.txt"), "requests==2.32.0\n");
    writeFileSync(
      join(root, "bot.py"),
      'import os\nhere = os.getenv("PWD")\ntok = os.getenv("TRADEOPS_CONTROL_TOKEN")\nkey = os.environ["EXCHANGE_KEY"]\n',
    );
    writeFileSync(
      join(root, "settings.py"),
      'from os import environ, getenv\nfeed = getenv("FEED_TOKEN")\nrpc = environ.get("RPC_PASS")\n',
    );
    writeFileSync(
      join(root, "worker.js"),
      'const {\n  WEBHOOK_SECRET,\n  SENTRY_DSN: dsn = "",\n  REGION,\n} = process.env;\n',
    );
    writeFileSync(
      join(root, ".env"),
      "# keys\nexport EXCHANGE_KEY=\"quoted-exchange-value-77\"\nsigning_pass = 'spaced-pass-88'\n",
    );
    writeFileSync(join(root, "config.json"), '{ "api_key": "unterminated-value-99", ');
    const template = { exchange: { accessKey: "<key>", dbPass: "<pass>", publicKey: "pk", region: "eu" } };
    writeFileSync(join(root, "config.json.example"), JSON.stringify(template, null, 2));
    const init = await cli(["init", "--yes"], { cwd: root });
    expect(init.code, init.stderr).toBe(0);
    const text = manifestText(root);
    expect(Object.keys(parse(text).projects[Object.keys(parse(text).projects)[0]!].secrets)).toEqual([
      "EXCHANGE_ACCESS_KEY",
      "EXCHANGE_DB_PASS",
      "EXCHANGE_KEY",
      "FEED_TOKEN",
      "RPC_PASS",
      "SENTRY_DSN",
      "WEBHOOK_SECRET",
      "signing_pass",
    ]);
    expect(init.stdout).toContain("seen at settings.py:3 (os.environ)");
    expect(init.stdout).toContain("seen at worker.js:3 (process.env)");
    expect(init.stdout).toContain("secret EXCHANGE_ACCESS_KEY of");
    expect(init.stdout).toContain("seen at config.json.example:3 (config exchange.accessKey)");
    expect(init.stdout).toContain("secret EXCHANGE_KEY of");
    expect(init.stdout).toContain("seen at bot.py:4 (os.environ), .env:2 (dotenv)");
    expectNoValue(init.stdout + init.stderr + text, [
      "quoted-exchange-value-77",
      "spaced-pass-88",
      "unterminated-value-99",
    ]);
  });

  it("leaves out a start command that passes a secret on its command line, and says so", async () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-cmdline-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, "requirements.txt"), "requests==2.32.0\n");
    writeFileSync(join(root, "Procfile"), "worker: python feeder.py --api-key PKCMDLINE00000000001 --symbols SPY\n");
    writeFileSync(join(root, "feeder.py"), "import time\nwhile True:\n    time.sleep(1)\n");
    const init = await cli(["init", "--yes"], { cwd: root });
    expect(init.code, init.stderr).toBe(0);
    const name = Object.keys(parse(manifestText(root)).projects)[0]!;
    expect(parse(manifestText(root)).projects[name].commands.start).toBeUndefined();
    expect(init.stdout).toContain(
      `projects.${name}.commands.start: the start command found (Procfile, unit or Dockerfile) passes a secret on its command line (--api-key), so it was left out`,
    );
    expectNoValue(init.stdout + init.stderr + manifestText(root), ["PKCMDLINE00000000001"]);
  });
});

describe("what init counts as a secret", () => {
  it("by name, by a URL's credentials, by a command line's flag", () => {
    const secret = ["BINANCE_KEY", "DB_PASS", "SMTP_PASSWORD", "GH_TOKEN", "SENTRY_DSN", "REDIS_URL", "PG_PWD"];
    const secretKeys = ["alpaca.dev.api_key", "exchange.accessKey", "db.password", "feed.clientSecret"];
    const plain = ["PORT", "PWD", "SORT_KEY", "STRIPE_PUBLISHABLE_KEY", "SSH_KEY_FILE", "TRADEOPS_TOKEN", "KEY_ID"];
    const plainKeys = ["exchange.publicKey", "cache.key_path", "symbols", "db.host"];
    for (const n of [...secret, ...secretKeys]) expect(isSecretName(n), n).toBe(true);
    for (const n of [...plain, ...plainKeys]) expect(isSecretName(n), n).toBe(false);
    expect(hasCredentials("postgres://u:p@h/db")).toBe(true);
    expect(hasCredentials("redis://:p@h:6379")).toBe(true);
    expect(hasCredentials("https://example.com/path")).toBe(false);
    expect(hasCredentials("https://user@example.com")).toBe(false);
    expect(secretOnCommandLine("bot --api-key PK000 --symbols SPY")).toBe("--api-key");
    expect(secretOnCommandLine("bot --token=abc")).toBe("--token");
    expect(secretOnCommandLine('bot --api-key "$API_KEY"')).toBeUndefined();
    expect(secretOnCommandLine("bot --db postgres://u:p@h/db")).toBe("a URL with credentials");
    expect(secretOnCommandLine("uvicorn main:app --port 8001")).toBeUndefined();
  });
});
