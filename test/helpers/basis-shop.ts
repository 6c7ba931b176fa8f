/**
 * Basis's backend as the shop writes it (it reads BASIS_* at import and never sources a file itself; tradeops gives
 * it env.unified overlaid with .env.dev, and its exchange key from AWS Secrets Manager), and the scenario the Basis
 * deploy test runs on a local and an SSH target: deployed twice and rolled back, each release answering with the
 * values of its own commit, the key reaching the process and never any output or record of tradeops.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { SecretScrubber } from "../../src/logging/scrubber.js";
import type { FakeAws } from "./aws-server.js";
import { cli } from "./cli.js";
import { freePorts } from "./deploy-desk.js";
import { createShop, type Shop } from "./portless-shop.js";
import { BASIS_BACKEND_CONFIG, BASIS_DEV_VALUES, BASIS_HEAD, ENV_DEV, ENV_PRODUCTION, ENV_UNIFIED } from "./shops.js";

export const EXCHANGE_KEY = "bx-dev-4f9c2a7e1b8d6053";

/** FastAPI in the shop; the same module shape and endpoints on the standard library here (nothing to install). */
export const BASIS_SERVER = `import json, os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENVIRONMENT = os.getenv("BASIS_ENVIRONMENT")
PORT = int(os.getenv("BASIS_API_PORT", "8001"))
LOG_LEVEL = os.environ.get("BASIS_LOG_LEVEL", "INFO")
EXCHANGE_KEY = os.environ["BASIS_EXCHANGE_API_KEY"]
SETTINGS = {k: v for k, v in os.environ.items() if k.startswith("BASIS_") and k != "BASIS_EXCHANGE_API_KEY"}


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = {"status": "healthy", "environment": ENVIRONMENT}
        elif self.path == "/health/detailed":
            body = {"status": "healthy", "settings": SETTINGS, "exchange_key_set": bool(EXCHANGE_KEY)}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args):
        pass


if __name__ == "__main__":
    print(f"basis backend ({ENVIRONMENT}, log level {LOG_LEVEL}) on port {PORT}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Api).serve_forever()
`;

/** Basis's layout (env.unified, .env.dev, .env.production at the root, backend/) with a development target on `host`. */
export async function basisShop(host: string): Promise<{ shop: Shop; port: number }> {
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const shop = createShop(
    (targetOf) =>
      [
        ...BASIS_HEAD,
        `    port: ${port}`,
        // uvicorn gets the port on its command line in platform.sh; here the port tradeops picks for the colour
        "    commands: { start: BASIS_API_PORT=$PORT python3 main.py }",
        ...BASIS_BACKEND_CONFIG,
        "    secrets:",
        "      BASIS_EXCHANGE_API_KEY:",
        "        development: [aws-secrets:basis/dev/exchange-api-key]",
        "        production: [aws-secrets:basis/prod/exchange-api-key]",
        "targets:",
        "  development:",
        `    backend: { hosts: [${host}], path: ${targetOf("backend")}, port: ${port}, internalPorts: [${blue}, ${green}] }`,
        "policies:",
        "  development: { healthLevel: 2, monitorSeconds: 1 }",
        "",
      ].join("\n"),
    {
      "env.unified": ENV_UNIFIED,
      ".env.dev": ENV_DEV,
      ".env.production": ENV_PRODUCTION,
      "backend/main.py": BASIS_SERVER,
    },
  );
  return { shop, port };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The whole scenario on one kind of host (`local`, or an SSH host with its client config). */
export async function basisScenario(aws: FakeAws, host: string, sshConfig?: string): Promise<void> {
  aws.secrets.set("basis/dev/exchange-api-key", EXCHANGE_KEY);
  const { shop, port } = await basisShop(host);
  onTestFinished(() => shop.cleanup());
  const env = { ...shop.env, ...aws.env(), ...(sshConfig ? { TRADEOPS_SSH_CONFIG: sshConfig } : {}) };
  const outputs: string[] = [];
  const run = async (...args: string[]) => {
    const result = await cli(args, { cwd: shop.root, env });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const settings = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health/detailed`);
    return (await res.json()) as { status: string; settings: Record<string, string>; exchange_key_set: boolean };
  };
  const deploy = async () => {
    // locally the direct runner as well: the release gets its config and secrets from the env file written at deploy
    const result = await run("deploy", "backend", "to", "development", "--runner", "direct", "--json");
    expect(result.code, result.stderr + result.stdout).toBe(0);
    return JSON.parse(result.stdout).records[0] as { release: string; previous?: string };
  };

  const { release: r1 } = await deploy();
  const v1 = await settings();
  // env.unified's values, overridden by .env.dev; BASIS_ENVIRONMENT spelled as the shop spells it
  expect(v1).toEqual({
    status: "healthy",
    exchange_key_set: true,
    settings: {
      ...BASIS_DEV_VALUES,
      BASIS_LIVE_TRADING__ENABLED: "false",
      BASIS_API_PORT: expect.stringMatching(/^\d+$/),
    },
  });
  expect(v1.settings.BASIS_API_PORT).not.toBe(String(port));

  shop.commit("dev reads the database", { ".env.dev": ENV_DEV.replace("BASIS_DATA_MODE=csv", "BASIS_DATA_MODE=db") });
  const { release: r2 } = await deploy();
  expect(r2).not.toBe(r1);
  expect((await settings()).settings.BASIS_DATA_MODE).toBe("db");

  const back = await run("rollback", "backend", "--env", "development");
  expect(back.code, back.stderr + back.stdout).toBe(0);
  expect(back.stdout).toContain(`${r2} → ${r1}`);
  // release 1 runs again with release 1's values (its own env file)
  expect(await settings()).toEqual(v1);

  for (const args of [
    ["releases", "backend", "--env", "development", "--json"],
    ["history", "--env", "development", "--json"],
    ["target", "status", "backend", "development"],
    ["target", "logs", "backend", "development"],
    ["health", "backend", "--env", "development", "--level", "2", "--json"],
    ["env", "backend", "--env", "development"],
  ])
    await run(...args);
  const detector = new SecretScrubber();
  detector.add(EXCHANGE_KEY, "exchange key");
  expect(detector.leaks(outputs.join("\n"))).toBe(false);
  expect(outputs.join("\n")).toContain("basis backend (dev, log level DEBUG)");
  // on the target only the releases' env files (0600) hold it
  const target = shop.target("backend");
  const holding = files(target).filter((f) => readFileSync(f, "utf8").includes(EXCHANGE_KEY));
  expect(holding.sort()).toEqual([r1, r2].map((r) => join(target, "shared/env", `${r}.env`)).sort());
}
