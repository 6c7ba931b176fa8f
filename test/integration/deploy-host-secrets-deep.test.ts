/**
 * `health.deepCommand` of a `secrets: host` release runs as the release's other lines do: with its env file and,
 * through the host's `tradeops run`, the secrets resolved there — a level-3 check of the broker connection needs
 * the broker key. A local target, with the supervisor runner, stands for the host.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tellerShop } from "../helpers/teller-shop.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");

beforeAll(() => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
});

const SERVER = `import { createServer } from "node:http";
createServer((req, res) => { res.setHeader("content-type", "application/json"); res.end('{"status":"healthy"}'); })
  .listen(Number(process.env.PORT), "127.0.0.1");
`;
/** Passes only with the host's key and a variable of the release's env file (exit 7 names what was missing). */
const DEEP = `if (!process.env.BROKER_KEY || process.env.TRADEOPS_PROJECT !== "teller") process.exit(7);
`;

describe("health.deepCommand on a secrets: host target", () => {
  it("gets the release's env file and the host's secrets, so a level-3 deploy passes", async () => {
    const { shop } = await tellerShop({
      commands: "{ start: node server.mjs }",
      health: "{ deepCommand: node deep.mjs }",
      healthLevel: 3,
      hostKey: "live-key-1f3a",
      files: { "teller/server.mjs": SERVER, "teller/deep.mjs": DEEP },
    });
    const env = { ...shop.env, TRADEOPS_SUPERVISOR_ENTRY: BIN };

    const deployed = await cli(["deploy", "teller", "to", "production", "--start-timeout", "10", "--json"], {
      cwd: shop.root,
      env,
    });
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    const record = JSON.parse(deployed.stdout).records[0];
    const start = record.steps.find((s: { step: string }) => s.step === "start");
    expect(start.detail).toContain("level 3 3/3");
    // the deploy measured 3.3 s at a load average of 1.0; 30 s leaves a margin of ≈ 9×
  }, 30_000);
});
