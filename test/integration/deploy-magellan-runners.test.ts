/**
 * Magellan's three strategy runners, unchanged (prod/<strategy>/runner.py reading ENVIRONMENT, USE_ARCHIVED_DATA and
 * LOG_LEVEL, one project per strategy, no port), deployed twice with `deploy all` to a local target: each runs as
 * a worker that sends orders — the old runner gone before the new one starts, the lease following — with the
 * environment in the shop's own variables.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createShop, type Shop } from "../helpers/portless-shop.js";
import { MAGELLAN_RUNNER } from "../helpers/shops.js";

let shop: Shop | undefined;
afterEach(() => {
  shop?.cleanup();
  shop = undefined;
});

const STRATEGIES = [
  ["bear_trap", "magellan-bear-trap", "SPY"],
  ["daily_trend", "magellan-daily-trend", "QQQ"],
  ["hourly_swing", "magellan-hourly-swing", "IWM"],
] as const;

describe("Magellan's strategy runners", () => {
  it("deploy twice with `deploy all`, each with its environment and the lease", async () => {
    const files: Record<string, string> = {};
    for (const [folder, , symbol] of STRATEGIES) {
      files[`prod/${folder}/runner.py`] = MAGELLAN_RUNNER;
      files[`prod/${folder}/config.json`] = `${JSON.stringify({ symbols: [symbol], position_size: 100 })}\n`;
      files[`prod/${folder}/config.development.json`] = `${JSON.stringify({ use_archived_data: true })}\n`;
    }
    shop = createShop(
      (targetOf) =>
        [
          "name: magellan",
          "environments:",
          "  detect: { default: development }",
          "  development: { signals: { store: none, required: false } }",
          "projects:",
          ...STRATEGIES.flatMap(([folder, name]) => [
            `  ${name}:`,
            `    path: prod/${folder}`,
            "    kind: strategy",
            // the runner stays up only when told to: the unit's environment, not the shop's code
            "    commands: { start: env RUN_FOREVER=1 python3 runner.py }",
            "    environmentVariable: { name: ENVIRONMENT }",
            "    config:",
            "      base: config.json",
            "      environments: { development: config.development.json }",
            "      export: { names: { use_archived_data: USE_ARCHIVED_DATA } }",
            "    secrets: { ALPACA_API_KEY: { development: [env:ALPACA_API_KEY] } }",
          ]),
          "targets:",
          "  development:",
          ...STRATEGIES.map(([, name]) => `    ${name}: { hosts: [local], path: ${targetOf(name)} }`),
          "policies:",
          "  development: { healthLevel: 1, monitorSeconds: 1 }",
          "",
        ].join("\n"),
      files,
    );
    const env = { ...shop.env, ALPACA_API_KEY: "paper-key-magellan" };
    const run = (...args: string[]) => cli(args, { cwd: shop!.root, env });
    // the direct runner, whose logs the test reads (recorded on the targets: the second deploy keeps it)
    const first = await run("deploy", "all", "to", "development", "--json", "--runner", "direct");
    expect(first.code, first.stderr).toBe(0);
    const releases1 = JSON.parse(first.stdout).records as { project: string; release: string }[];
    expect(releases1.map((r) => r.project).sort()).toEqual(STRATEGIES.map(([, name]) => name).sort());

    // one commit per strategy: gate 2 refuses a commit that mixes projects
    for (const [folder, name] of STRATEGIES) shop.commit(`${name} v2`, { [`prod/${folder}/VERSION`]: "2\n" });
    const second = await run("deploy", "all", "to", "development", "--json");
    expect(second.code, second.stderr + second.stdout).toBe(0);
    for (const record of JSON.parse(second.stdout).records) {
      expect(record.steps.map((s: { step: string }) => s.step)).toEqual(["upload", "handoff", "start", "finish"]);
      const target = shop.target(record.project);
      const lease = JSON.parse(readFileSync(join(target, `shared/lease/${record.project}.default.lease.json`), "utf8"));
      expect(lease.holder).toBe(record.release);
      const state = JSON.parse(readFileSync(join(target, "shared/state.json"), "utf8"));
      const log = readFileSync(join(target, `shared/logs/${record.project}@${state.active}.log`), "utf8");
      const said = JSON.parse(log.trim().split("\n").at(-1)!);
      expect(said).toMatchObject({ environment: "development", use_cache: true });
      expect(said.log_level).toBeTruthy();
      // the first release's runner has exited: one runner per strategy
      expect(Object.keys(state.colors)).toEqual([state.active]);
    }
  }, 60_000);
});
