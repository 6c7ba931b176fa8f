/**
 * Spellings of the broker's live URL and cases of a live key: each is recognised for what it is, so a live key on a
 * paper binding never reaches the live API. A connect hook (the fetch client's own diagnostics channels) records
 * every request and connection the process opens: none goes toward a live host.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { brokerEndpoint, keyKind, urlKind } from "../../src/accounts/guards.js";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";
import { cli, copyWorkspace } from "../helpers/cli.js";

const LIVE_HOST = "api.alpaca.markets";
const LIVE_SPELLINGS = [
  "https://api.alpaca.markets",
  "https://api.alpaca.markets.",
  "https://api.alpaca.markets..",
  "https://API.Alpaca.Markets",
  "https://api.alpaca%2emarkets",
  "https://api%2Ealpaca%2Emarkets%2E/",
  "https://api.alpaca.markets:443/",
  "https://api.alpaca.markets:8443",
  "http://api.alpaca.markets",
  "https://api。alpaca。markets",
  " https://api.alpaca.markets/ ",
];
const DISGUISED = ["https://paper-api.alpaca.markets@api.alpaca.markets", "https://u:p@API.alpaca.markets."];
const LIVE_KEYS = [
  "AKTESTLIVEKEY000000001",
  "akTESTLIVEKEY000000002",
  "Ak-live-key-000000003",
  " AKTESTLIVEKEY000000004",
];

const touched: string[] = [];
const onRequest = (m: unknown) => touched.push(String((m as { request: { origin: string } }).request.origin));
const onConnect = (m: unknown) =>
  touched.push(String((m as { connectParams: { hostname: string } }).connectParams.hostname));
let paper: AlpacaServer;
beforeAll(async () => {
  subscribe("undici:request:create", onRequest);
  subscribe("undici:client:beforeConnect", onConnect);
  paper = await startAlpacaServer({ kind: "paper", keys: [] });
});
afterAll(async () => {
  unsubscribe("undici:request:create", onRequest);
  unsubscribe("undici:client:beforeConnect", onConnect);
  await paper.close();
});

const towardLive = () => touched.filter((t) => /alpaca\.markets/i.test(t) || t.includes(LIVE_HOST));

describe("classification", () => {
  it("every spelling of the live URL is live, and the normalised URL is what a client connects to", () => {
    for (const url of LIVE_SPELLINGS) {
      expect(urlKind(url), url).toBe("live");
      expect(brokerEndpoint(url).host, url).toBe(LIVE_HOST);
      expect(brokerEndpoint(url).problem, url).toBeUndefined();
    }
    expect(brokerEndpoint("https://api.alpaca.markets.:443/v2/").url).toBe("https://api.alpaca.markets/v2");
    expect(urlKind("https://api.alpaca.markets.evil.test")).toBe("unknown");
    expect(urlKind("https://paper-api.alpaca.markets.")).toBe("paper");
  });
  it("user info, other schemes and unparsable URLs are problems", () => {
    for (const url of [...DISGUISED, "ftp://api.alpaca.markets", "not a url", "https://api.alpaca.markets/?x=1"])
      expect(brokerEndpoint(url).problem, url).toBeDefined();
  });
  it("a live key is live in any case, with or without surrounding spaces", () => {
    for (const key of LIVE_KEYS) expect(keyKind(key), key).toBe("live");
    expect(keyKind("pkPaper0001")).toBe("paper");
    expect(keyKind("XYZ")).toBe("unknown");
  });
});

function desk(baseUrl: string): string {
  const dir = copyWorkspace();
  const path = join(dir, "tradeops.yaml");
  const manifest = parse(readFileSync(path, "utf8"));
  manifest.projects.argo.accounts = {
    development: {
      broker: "alpaca",
      mode: "paper",
      baseUrl,
      credentials: { keyId: "ALPACA_API_KEY", secretKey: "ALPACA_SECRET_KEY" },
    },
  };
  writeFileSync(path, stringify(manifest));
  return dir;
}

describe("a live key on a paper binding in development is refused before any request", () => {
  // the manifest schema already refuses a URL with spaces (78): the rest reach the guards
  const cases = [...LIVE_SPELLINGS.filter((u) => u === u.trim()), ...DISGUISED].flatMap((url) =>
    LIVE_KEYS.map((key) => [url, key] as const),
  );
  it(`refuses all ${cases.length} URL spellings × key cases (and an unknown endpoint) with exit 77`, async () => {
    const dirs = new Map<string, string>();
    for (const [url, key] of [...cases, ...LIVE_KEYS.map((k) => ["__paper__", k] as const)]) {
      const base = url === "__paper__" ? paper.url : url;
      if (!dirs.has(base)) dirs.set(base, desk(base));
      const env = { PATH: process.env.PATH ?? "", ALPACA_API_KEY: key, ALPACA_SECRET_KEY: "secret-value-00000001" };
      const { code, stderr } = await cli(
        ["--workspace", dirs.get(base)!, "--env", "development", "accounts", "check", "argo"],
        { env },
      );
      expect(code, `${url} ${key}: ${stderr}`).toBe(77);
      expect(stderr).toMatch(/live-key-on-paper-binding|endpoint-invalid/);
      expect(stderr).not.toContain(key.trim());
    }
    expect(towardLive()).toEqual([]);
    // the unknown (local) endpoint was not called either: the refusal comes before any request
    expect(paper.calls).toEqual([]);
  }, 60_000);
  it("the paper endpoint still serves a paper key (the hook does see requests)", async () => {
    const ok = await startAlpacaServer({
      kind: "paper",
      keys: [{ keyId: "PKGOOD0000000001", secretKey: "s-00000001" }],
    });
    try {
      const env = { PATH: process.env.PATH ?? "", ALPACA_API_KEY: "PKGOOD0000000001", ALPACA_SECRET_KEY: "s-00000001" };
      const { code } = await cli(["--workspace", desk(ok.url), "--env", "development", "accounts", "check", "argo"], {
        env,
      });
      expect(code).toBe(0);
      expect(touched.some((t) => t.includes("127.0.0.1"))).toBe(true);
    } finally {
      await ok.close();
    }
  });
});
