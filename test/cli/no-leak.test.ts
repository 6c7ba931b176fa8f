/**
 * A sensitive value planted in config files and environment variables never appears in any output of any
 * command, on success or failure, in text, JSON or --verbose.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { cli, copyWorkspace } from "../helpers/cli.js";

const CANARIES = [
  "PKPLANTEDLOCAL0000001",
  "planted-secret-key-from-env-0002",
  "planted-market-token-0003",
  "AKPLANTEDPROD00000004",
];

it("no command prints a planted secret", async () => {
  const dir = copyWorkspace();
  writeFileSync(join(dir, "argo/config/local.yaml"), `alpaca:\n  dev:\n    api_key: ${CANARIES[0]}\n`);
  chmodSync(join(dir, "argo/config/local.yaml"), 0o644);
  const env = { ARGO_ALPACA__DEV__SECRET_KEY: CANARIES[1]!, SIGLAB_FEED__TOKEN: CANARIES[2]! };

  const broken = copyWorkspace(dir);
  writeFileSync(
    join(broken, "argo/config/production.yaml"),
    `risk:\n  max_trade_usd: nope\nalpaca:\n  production:\n    api_key: ${CANARIES[3]}\n    secret_key: [${CANARIES[3]}]\n`,
  );

  const runs: [string, string[]][] = [];
  for (const ws of [dir, broken]) {
    for (const mode of [[], ["--json"], ["--verbose"]]) {
      for (const args of [
        ["env"],
        ["projects"],
        ["config", "show", "argo"],
        ["config", "show", "argo", "--sources"],
        ["--env", "production", "config", "show", "argo"],
        ["config", "show", "signal-lab"],
        ["config", "check", "--all-envs"],
        ["config", "check", "argo"],
        ["--env", "production", "config", "check", "argo"],
        ["config", "example", "argo"],
        ["config", "show", "argo", "--env", "nowhere"],
      ]) {
        runs.push([ws, ["--workspace", ws, ...mode, ...args]]);
      }
    }
  }
  let failures = 0;
  for (const [, args] of runs) {
    const { code, stdout, stderr } = await cli(args, { env });
    if (code !== 0) failures++;
    for (const canary of CANARIES) {
      expect(stdout, args.join(" ")).not.toContain(canary);
      expect(stderr, args.join(" ")).not.toContain(canary);
    }
  }
  // the error paths were really exercised
  expect(failures).toBeGreaterThan(runs.length / 4);
});
