/**
 * A deploy's news reaches the environment's channels (a local webhook): a release that went live, a deploy a
 * gate stopped, a failed deploy that was rolled back, an operator's rollback; secrets the CLI knows are cut out.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openWorkspace } from "../../src/context.js";
import { announceDeploy } from "../../src/deploy/announce.js";
import type { DeployResult } from "../../src/deploy/apply.js";
import type { DeployRecord } from "../../src/deploy/types.js";
import { TroError } from "../../src/errors.js";
import { SecretScrubber } from "../../src/logging/scrubber.js";
import { copyWorkspace } from "../helpers/cli.js";
import { startHttpEndpoints } from "../notify/servers.js";

let http: Awaited<ReturnType<typeof startHttpEndpoints>>;
beforeAll(async () => {
  http = await startHttpEndpoints();
});
afterAll(() => http?.close());

const record: DeployRecord = {
  id: "d1",
  kind: "deploy",
  project: "alpine-backend",
  environment: "staging",
  host: "local",
  release: "20261202T230000Z-abc1234",
  previous: "20261201T120000Z-0ff1ce0",
  commit: "abc1234",
  who: "ops@desk",
  startedAt: "2026-12-02T23:00:00.000Z",
  gates: [],
  steps: [],
};

it("announces deploy-done, gate-failed, a rolled-back deploy and a rollback, scrubbed", async () => {
  const root = copyWorkspace();
  const manifest = join(root, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8").replace(
      "    logRetentionDays: 14\n",
      `    logRetentionDays: 14\n    notifications:\n      - { type: webhook, url: "http://127.0.0.1:${http.port}/hook" }\n`,
    ),
  );
  const { workspace } = openWorkspace({ cwd: root, env: {} });
  const scrubber = new SecretScrubber();
  scrubber.add("db-password-123456", "database password");
  const o = {
    workspace,
    environment: "staging" as const,
    env: {},
    which: "alpine-backend",
    scrub: (t: string) => scrubber.scrub(t),
  };
  const result = { outcome: "succeeded", records: [record], gates: [] } as unknown as DeployResult;
  await announceDeploy(o, { result });
  await announceDeploy(o, {
    error: new TroError(
      "TRO_ERR_GATE_FAILED",
      "Gate 3 (tests) failed: npm test exited 1 (postgres://u:db-password-123456@h/db).",
    ),
  });
  await announceDeploy(o, { error: new TroError("TRO_ERR_DEPLOY_FAILED", "The new release did not become healthy.") });
  await announceDeploy(o, { rollback: [{ ...record, kind: "rollback", rollbackReason: "errors in the log" }] });
  await announceDeploy(o, { result: { ...result, outcome: "nothing", records: [] } as DeployResult });
  const events = http.received.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body));
  expect(events.map((e) => [e.event, e.project, e.summary])).toEqual([
    ["deploy-done", "alpine-backend", "alpine-backend 20261202T230000Z-abc1234 is live on local."],
    ["gate-failed", "alpine-backend", "A gate stopped the deploy of alpine-backend."],
    ["rollback", "alpine-backend", "The deploy of alpine-backend failed and was rolled back."],
    ["rollback", "alpine-backend", "alpine-backend rolled back on local."],
  ]);
  expect(events[0].facts).toMatchObject({ release: record.release, previous: record.previous, by: "ops@desk" });
  expect(events[3].facts.reason).toBe("errors in the log");
  expect(JSON.stringify(events)).not.toContain("db-password-123456");
  expect(events[1].facts.error).toContain("Gate 3 (tests) failed");
});
