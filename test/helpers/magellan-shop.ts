/**
 * Magellan's three strategy runners (prod/<strategy>/runner.py as the migration plan writes it, reading ENVIRONMENT,
 * USE_ARCHIVED_DATA and LOG_LEVEL; one project per strategy, no port) as a git workspace, and the scenario the
 * runner deploy tests run on a local and an SSH target: `deploy all` twice, then each runner rolled back, every
 * move "stop old, then start new" under the executor lease, so one runner per strategy ever runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { cli } from "./cli.js";
import { createShop, type Shop } from "./portless-shop.js";
import { MAGELLAN_RUNNER, MAGELLAN_STRATEGIES } from "./shops.js";

export function magellanShop(host: string): Shop {
  const files: Record<string, string> = {};
  for (const [folder, , symbols] of MAGELLAN_STRATEGIES) {
    files[`prod/${folder}/runner.py`] = MAGELLAN_RUNNER;
    files[`prod/${folder}/config.json`] = `${JSON.stringify({ symbols, position_size: 100 })}\n`;
    files[`prod/${folder}/config.development.json`] = `${JSON.stringify({ use_archived_data: true })}\n`;
  }
  return createShop(
    (targetOf) =>
      [
        "name: magellan",
        "environments:",
        "  detect: { default: development }",
        "  development: { signals: { store: none, required: false } }",
        "projects:",
        ...MAGELLAN_STRATEGIES.flatMap(([folder, name]) => [
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
        ...MAGELLAN_STRATEGIES.map(([, name]) => `    ${name}: { hosts: [${host}], path: ${targetOf(name)} }`),
        "policies:",
        "  development: { healthLevel: 1, monitorSeconds: 1 }",
        "",
      ].join("\n"),
    files,
  );
}

interface DeployedRecord {
  readonly project: string;
  readonly release: string;
  readonly steps: readonly { readonly step: string }[];
}

/** The whole scenario on one kind of host (`local`, or an SSH host with its client config). */
export async function magellanScenario(host: string, sshConfig?: string): Promise<void> {
  const shop = magellanShop(host);
  onTestFinished(() => shop.cleanup());
  const env = {
    ...shop.env,
    ALPACA_API_KEY: "paper-key-magellan",
    ...(sshConfig ? { TRADEOPS_SSH_CONFIG: sshConfig } : {}),
  };
  const run = (...args: string[]) => cli(args, { cwd: shop.root, env });
  const names = MAGELLAN_STRATEGIES.map(([, name]) => name);
  /** what the target says runs for a project: one colour, its release holding the lease, and what it printed */
  const serving = (project: string) => {
    const target = shop.target(project);
    const state = JSON.parse(readFileSync(join(target, "shared/state.json"), "utf8"));
    const lease = JSON.parse(readFileSync(join(target, `shared/lease/${project}.default.lease.json`), "utf8"));
    const log = readFileSync(join(target, `shared/logs/${project}@${state.active}.log`), "utf8");
    return {
      colors: Object.keys(state.colors),
      release: state.colors[state.active].release as string,
      holder: lease.holder as string,
      said: JSON.parse(log.trim().split("\n").at(-1)!),
    };
  };
  const expectServing = (project: string, release: string) => {
    const now = serving(project);
    // one runner per strategy: the other colour's has exited
    expect(now.colors).toEqual([expect.any(String)]);
    expect(now.release).toBe(release);
    expect(now.holder).toBe(release);
    expect(now.said).toMatchObject({ environment: "development", use_cache: true, log_level: "debug" });
  };

  // the direct runner, whose logs the scenario reads (recorded on the targets: later deploys keep it)
  const first = await run("deploy", "all", "to", "development", "--json", "--runner", "direct");
  expect(first.code, first.stderr + first.stdout).toBe(0);
  const releases1 = JSON.parse(first.stdout).records as DeployedRecord[];
  expect(releases1.map((r) => r.project).sort()).toEqual([...names].sort());

  // one commit per strategy: gate 2 refuses a commit that mixes projects
  for (const [folder, name] of MAGELLAN_STRATEGIES) shop.commit(`${name} v2`, { [`prod/${folder}/VERSION`]: "2\n" });
  const second = await run("deploy", "all", "to", "development", "--json");
  expect(second.code, second.stderr + second.stdout).toBe(0);
  for (const record of JSON.parse(second.stdout).records as DeployedRecord[]) {
    expect(record.steps.map((s) => s.step)).toEqual(["upload", "handoff", "start", "finish"]);
    expectServing(record.project, record.release);
  }

  // each runner has its own target and lock: the three roll back at once
  const backs = await Promise.all(names.map((name) => run("rollback", name, "development", "--json")));
  for (const [i, name] of names.entries()) {
    expect(backs[i]!.code, backs[i]!.stderr + backs[i]!.stdout).toBe(0);
    expectServing(name, releases1.find((r) => r.project === name)!.release);
  }
}
