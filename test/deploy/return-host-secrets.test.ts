/**
 * A return to a release that must start again (a rollback, a recovery) on a `secrets: host` target asks the host for
 * the release's secrets first: a portless order sender is fenced and stopped before the old one starts, so a key gone
 * from the host would otherwise leave nothing running and nothing sending orders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rollback } from "../../src/deploy/rollback.js";
import { findTarget } from "../../src/deploy/targets.js";
import type { TroError } from "../../src/errors.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { keepReleases } from "../helpers/left-in-progress.js";
import { fakeClock, recordingTarget } from "../helpers/recording-target.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A worker that sends orders (no port, an executor lease), its broker key resolved on its host. */
function orderSender(hostSecrets: "resolve" | "missing") {
  dir = mkdtempSync(join(tmpdir(), "tradeops-return-"));
  mkdirSync(join(dir, "bot"));
  writeFileSync(
    join(dir, "tradeops.yaml"),
    [
      "name: desk",
      "environments: { detect: { default: staging }, staging: { signals: { store: none, required: false } } }",
      "projects:",
      "  bot:",
      "    path: bot",
      "    kind: worker",
      "    sendsOrders: true",
      "    commands: { start: python3 bot.py }",
      "    secrets: { BROKER_KEY: { staging: ['env:BROKER_KEY'] } }",
      "targets:",
      "  staging:",
      `    bot: { hosts: [local], path: ${join(dir, "target")}, secrets: host }`,
      "",
    ].join("\n"),
  );
  const workspace = loadWorkspace({ cwd: dir });
  const log: string[] = [];
  const clock = fakeClock();
  const bot = recordingTarget({
    project: workspace.projects.bot!,
    target: findTarget(workspace, "staging", "bot")!,
    clock,
    log,
    script: { hostSecrets },
  });
  const go = () =>
    rollback({
      workspace,
      environment: "staging",
      project: "bot",
      who: "tester@test-host",
      hostname: "test-host",
      command: "rollback",
      executorFor: () => bot.executor,
      sessionFor: () => bot.session,
      clock,
    });
  return { bot, log, go };
}

describe("a rollback of a portless order sender on a secrets: host target", () => {
  it("whose host lost the key: refused (78) while the serving release still runs and holds the lease", async () => {
    const { bot, log, go } = orderSender("missing");
    await bot.serve("blue", "R2");
    await keepReleases(bot);
    log.length = 0;
    const failed = await go().catch((e: TroError) => e);
    expect(failed).toMatchObject({ code: "TRO_ERR_SECRET_UNRESOLVED", exitCode: 78 });
    expect((failed as TroError).message).toContain("secret BROKER_KEY of bot does not resolve on local");
    expect(log).toEqual(["bot: lock", "bot: secrets check missing", "bot: unlock"]);
    expect([...bot.running.values()].map((i) => `${i.color} ${i.release}`)).toEqual(["blue R2"]);
    expect(bot.leaseHolder()).toBe("R2");
  });

  it("whose host has the key: fenced, stopped, started again, the lease handed over", async () => {
    const { bot, log, go } = orderSender("resolve");
    await bot.serve("blue", "R2");
    await keepReleases(bot);
    log.length = 0;
    await go();
    expect(log.slice(0, 2)).toEqual(["bot: lock", "bot: secrets check resolve"]);
    expect(log).toContain("bot: stop blue");
    expect(bot.leaseHolder()).not.toBe("R2");
  });
});
