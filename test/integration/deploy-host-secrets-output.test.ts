/**
 * What a `secrets: host` release prints with its key never reaches the deploying machine: its install (through the
 * host's `tradeops run --scrub-output`) and its log at a failed start (through the host's `tradeops logs`) come back
 * with `[redacted: …]` where the value was, in the deploy's output and in the records. The deploying machine never
 * knows the key, so only the host can scrub it. A local target, with the supervisor runner, stands for the host.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tellerShop } from "../helpers/teller-shop.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
/** the production key: in the host's `.env` only */
const BROKER_KEY = "live-broker-key-5d0e93a7c1f2";
const REDACTED = "[redacted: BROKER_KEY from dotenv:.env.production#BROKER_KEY]";

beforeAll(() => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
});

/** A bot whose install and start print the key they were given, then fail. */
function leakyShop() {
  return tellerShop({
    commands: "{ start: node server.mjs, install: node install.mjs }",
    hostKey: BROKER_KEY,
    files: {
      "teller/install.mjs":
        'process.stderr.write("install: key " + process.env.BROKER_KEY + "\\n");\nprocess.exit(3);\n',
      "teller/server.mjs": 'process.stderr.write("boot: key " + process.env.BROKER_KEY + "\\n");\nprocess.exit(2);\n',
    },
  });
}

/** The text of every regular file of the target's records (history, releases, state). */
function records(target: string): string {
  const shared = join(target, "shared");
  return readdirSync(shared)
    .filter((name) => /\.(json|jsonl)$/.test(name))
    .map((name) => readFileSync(join(shared, name), "utf8"))
    .join("\n");
}

describe("a secrets: host release that prints its key", () => {
  it("shows it redacted, never as the value, in a failed install and a failed start", async () => {
    const { shop, target } = await leakyShop();
    const env = { ...shop.env, TRADEOPS_SUPERVISOR_ENTRY: BIN };
    const run = (...args: string[]) => cli(args, { cwd: shop.root, env });

    const install = await run("deploy", "teller", "to", "production");
    expect(install.code, install.stderr).toBe(1);
    expect(install.stderr).toContain(`\`node install.mjs\` exited 3): install: key ${REDACTED}`);
    expect(install.stdout + install.stderr).not.toContain(BROKER_KEY);
    expect(records(target)).toContain(`install: key ${REDACTED}`);
    expect(records(target)).not.toContain(BROKER_KEY);

    shop.commit("install passes", { "teller/install.mjs": "process.exit(0);\n" });
    const start = await run("deploy", "teller", "to", "production", "--start-timeout", "20");
    expect(start.code, start.stderr).toBe(1);
    expect(start.stderr).toContain("exited during start");
    expect(start.stderr).toContain(`boot: key ${REDACTED}`);
    expect(start.stdout + start.stderr).not.toContain(BROKER_KEY);
    expect(records(target)).toContain(`boot: key ${REDACTED}`);
    expect(records(target)).not.toContain(BROKER_KEY);
    // two deploys measured 2.8–3.0 s in all at load averages of 0.7–1.0; 30 s leaves a margin of ≈ 10×
  }, 30_000);
});
