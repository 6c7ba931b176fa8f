/**
 * `tradeops target start` on a `secrets: host` target: the direct runner recorded there would start the release from
 * the env file a deploy wrote (no host secret in it, or a key a deploy resolved before the target moved to `host`), so
 * it is refused as deploy and rollback refuse it, before any lock, record or process on any host changes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTarget } from "../../src/deploy/target-control.js";
import { isTroError } from "../../src/errors.js";
import { createExecutor } from "../../src/exec/create.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { snapshot } from "../helpers/cli.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A workspace whose bot's local target (two paths: two hosts' worth of records) ran r1 under the given runner. */
function deployedUnder(runner: "direct" | "supervisor", secrets: "host" | "deployer") {
  const root = mkdtempSync(join(tmpdir(), "tradeops-target-start-"));
  roots.push(root);
  const target = join(root, "target");
  mkdirSync(join(target, "shared/env"), { recursive: true });
  mkdirSync(join(root, "bot"));
  writeFileSync(
    join(root, "tradeops.yaml"),
    [
      "name: t",
      "environments:",
      "  detect: { default: production }",
      "  production: { signals: { store: none, required: false } }",
      "projects:",
      "  bot:",
      "    path: bot",
      "    port: 9100",
      "    commands: { start: node server.mjs }",
      "    secrets:",
      "      BROKER_KEY: { production: ['dotenv:.env.production#BROKER_KEY'] }",
      "targets:",
      "  production:",
      `    bot: { hosts: [local], path: ${target}, port: 9100, secrets: ${secrets} }`,
      "",
    ].join("\n"),
  );
  const instance = { release: "r1", port: 9101, startedAt: "2026-12-01T10:00:00.000Z", orders: false };
  writeFileSync(
    join(target, "shared/state.json"),
    JSON.stringify({ runner, active: "blue", colors: { blue: instance }, stopped: { at: "x", who: "ops" } }),
  );
  // a release deployed while the target was `secrets: deployer`: its env file holds the key this machine resolved
  writeFileSync(join(target, "shared/env/r1.env"), "BROKER_KEY='old-deployer-key'\n", { mode: 0o600 });
  return { root, target };
}

async function start(root: string) {
  const executor = createExecutor("local");
  try {
    await startTarget({
      workspace: loadWorkspace({ cwd: root }),
      environment: "production",
      project: "bot",
      executorFor: () => executor,
      hostname: "laptop",
      env: {},
      who: "ops@laptop",
      command: "tradeops target start bot production",
      startTimeoutMs: 2_000,
    });
  } catch (error) {
    if (!isTroError(error)) throw error;
    return { code: error.code, exit: error.exitCode, message: error.message };
  }
  return undefined;
}

describe("tradeops target start on a secrets: host target", () => {
  it("refuses the direct runner recorded there (77) with nothing changed: no lock, no history, no process", async () => {
    const { root, target } = deployedUnder("direct", "host");
    const before = snapshot(target);
    const refused = await start(root);
    expect(refused).toMatchObject({ code: "TRO_ERR_POLICY_REFUSED", exit: 77 });
    expect(refused?.message).toBe(
      "targets.production.bot resolves its secrets on local (secrets: host), which needs tradeops there under the supervisor runner, but local runs releases under the direct runner (recorded on the target), which starts them from the env file a deploy writes there, without the host's secrets; nothing was changed.",
    );
    expect(snapshot(target)).toEqual(before);
  });

  it("lets a deployer target under the direct runner past the check (it fails later, on the missing release)", async () => {
    const { root } = deployedUnder("direct", "deployer");
    const failed = await start(root);
    expect(failed).toMatchObject({ code: "TRO_ERR_HEALTH_FAILED", message: expect.stringMatching(/^bot on local: /) });
  });
});
