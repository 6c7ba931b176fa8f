/**
 * `tradeops target logs` of a release that logs its own broker key shows `[redacted: …]` in its place: with
 * `secrets: deployer` this machine resolves the key and redacts it; with `secrets: host` the host's `tradeops logs`
 * does. A local target, with the supervisor runner.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tellerShop } from "../helpers/teller-shop.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
const KEY = "live-broker-key-9a7c2e41b3d0";

beforeAll(() => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
});

const SERVER = `import { createServer } from "node:http";
process.stdout.write("boot: key " + process.env.BROKER_KEY + "\\n");
createServer((req, res) => { res.setHeader("content-type", "application/json"); res.end('{"status":"healthy"}'); })
  .listen(Number(process.env.PORT), "127.0.0.1");
`;

async function deployed(secrets: "deployer" | "host") {
  const { shop } = await tellerShop({
    commands: "{ start: node server.mjs }",
    source: secrets === "host" ? "dotenv:.env.production#BROKER_KEY" : "env:BROKER_KEY",
    secrets,
    hostKey: KEY,
    files: { "teller/server.mjs": SERVER },
  });
  const env = { ...shop.env, TRADEOPS_SUPERVISOR_ENTRY: BIN, ...(secrets === "deployer" ? { BROKER_KEY: KEY } : {}) };
  const run = (...args: string[]) => cli(args, { cwd: shop.root, env });
  const deploy = await run("deploy", "teller", "to", "production");
  expect(deploy.code, deploy.stderr).toBe(0);
  return run;
}

describe("tradeops target logs of a release that logs its key", () => {
  for (const secrets of ["deployer", "host"] as const) {
    it(`shows it redacted (secrets: ${secrets})`, async () => {
      const run = await deployed(secrets);
      const text = await run("target", "logs", "teller", "production");
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(
        /boot: key \[redacted: BROKER_KEY from (env:BROKER_KEY|dotenv:\.env\.production#BROKER_KEY)\]/,
      );
      const json = await run("target", "logs", "teller", "production", "--json");
      expect(json.stdout).toContain("boot: key [redacted: BROKER_KEY");
      expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(KEY);
      // a deploy and two reads measured 1.9–3.7 s at a load average of 1.7; 30 s leaves a margin of ≈ 8×
    }, 30_000);
  }
});
