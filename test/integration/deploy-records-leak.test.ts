/**
 * A release that prints its secret (raw and encoded) and fails at start: the deploy rolls back, and no record on the
 * target (history, releases, state, lock, runner files) nor any output of the commands that read them carries the
 * secret in any form. The release's own env file holds it by design (0600); its own log is the service's output and
 * is private (0600 in a 0700 directory), as is every file in the target's shared area.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SecretScrubber } from "../../src/logging/scrubber.js";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, STAGING_SECRET } from "../helpers/deploy-desk.js";
import { LEAKS_AND_CRASHES } from "../helpers/variants.js";

let desk: DeployDesk;
beforeAll(async () => {
  desk = await createDeployDesk();
}, 60_000);
afterAll(async () => {
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const detector = new SecretScrubber();
detector.add(STAGING_SECRET, "planted");

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

it("keeps the secret out of every record and every output after a failed deploy", async () => {
  expect((await run("deploy", "alpine-backend", "to", "staging")).code).toBe(0);
  desk.commit("leaky", { "alpine-backend/server.mjs": LEAKS_AND_CRASHES });
  const failed = await run(
    "deploy",
    "alpine-backend",
    "to",
    "staging",
    "--verbose",
    "--skip-gate",
    "3",
    "--reason",
    "drill",
  );
  expect(failed.code).toBe(1);
  const outputs = [failed];
  for (const args of [
    ["history", "--env", "staging"],
    ["history", "--env", "staging", "--json"],
    ["releases", "alpine-backend", "--env", "staging"],
    ["releases", "alpine-backend", "--env", "staging", "--json"],
    ["lock", "status", "alpine-backend", "--env", "staging"],
  ])
    outputs.push(await run(...args));
  for (const [i, o] of outputs.entries()) {
    expect(detector.leaks(o.stdout + o.stderr), `output ${i}: ${o.stdout}${o.stderr}`).toBe(false);
  }
  // the failure was recorded, with the release's words but without its secret
  const history = readFileSync(join(desk.target, "shared/history.jsonl"), "utf8");
  expect(history).toContain("boom: bad key");
  expect(history).toContain("[redacted: secret ANALYTICS_API_KEY");

  const shared = join(desk.target, "shared");
  const leaks: string[] = [];
  const loose: string[] = [];
  for (const path of walk(desk.root)) {
    const rel = relative(desk.target, path);
    const stat = statSync(path);
    if (path.startsWith(shared)) {
      const mode = stat.mode & 0o777;
      if (mode !== (stat.isDirectory() ? 0o700 : 0o600)) loose.push(`${rel} ${mode.toString(8)}`);
    }
    // the env files hold the secret by design; a release's own log (direct runner, or its colour's supervisor) holds
    // whatever the release printed
    const releaseLog =
      /^shared\/logs\/[^/]+\.log$/.test(rel) || /^shared\/supervisor\/[^/]+\/logs\/[^/]+\.log$/.test(rel);
    if (stat.isDirectory() || /^shared\/env\/[^/]+\.env$/.test(rel) || releaseLog) continue;
    if (detector.leaks(readFileSync(path).toString("latin1"))) leaks.push(relative(desk.root, path));
  }
  expect(leaks).toEqual([]);
  expect(loose).toEqual([]);
}, 120_000);
