/**
 * The desk's Python signal service (examples/desk/signal-lab, its code unchanged, in its folder of the monorepo), and
 * the scenario the signal-service deploy tests run on a local and an SSH target: deployed twice and rolled back under
 * the supervisor runner, each release recording its signals through the supervisor's endpoint into the environment's
 * `sqlite:data/signals.db` — one chain in the target's shared area — verified with tradeops on the target after
 * every step.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, onTestFinished } from "vitest";
import type { FakeAws } from "./aws-server.js";
import { cli, DESK } from "./cli.js";
import { freePorts } from "./deploy-desk.js";
import { createShop, type Shop } from "./portless-shop.js";
import type { Sshd } from "./sshd.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
const SIGNAL_LAB = join(DESK, "signal-lab");
/** a token the service is given: it must never show in what tradeops prints */
export const MARKET_DATA_TOKEN = "mdt-staging-5c1e9a7f3b2d";
/** the service records once at start, then every poll; a release's first record comes within seconds of its start */
const RECORD_DEADLINE_MS = 30_000;

/** Every file of the example's signal-lab, as committed. */
function signalLabFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === "__pycache__" || name === "data") continue;
      if (statSync(path).isDirectory()) walk(path);
      else files[join("signal-lab", relative(SIGNAL_LAB, path))] = readFileSync(path, "utf8");
    }
  };
  walk(SIGNAL_LAB);
  return files;
}

export async function signalShop(host: string): Promise<Shop> {
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  return createShop(
    (targetOf) =>
      [
        "name: desk",
        "environments:",
        "  detect: { default: staging }",
        "  staging: { signals: { store: 'sqlite:data/signals.db', required: true } }",
        "projects:",
        "  signal-lab:",
        "    path: signal-lab",
        "    kind: service",
        `    port: ${port}`,
        "    commands: { test: python3 -m unittest discover -s tests, start: python3 main.py }",
        "    health: { detailedPath: /readyz, deepCommand: python3 deep_check.py }",
        "    config:",
        "      schema: config.schema.json",
        "      base: config/base.yaml",
        "      environments: { staging: config/staging.yaml }",
        "      envPrefix: SIGLAB_",
        "    secrets:",
        "      MARKET_DATA_TOKEN: { staging: [aws-ssm:/desk/staging/signal-lab/MARKET_DATA_TOKEN] }",
        "targets:",
        "  staging:",
        `    signal-lab: { hosts: [${host}], path: ${targetOf("signal-lab")}, port: ${port}, internalPorts: [${blue}, ${green}] }`,
        "policies:",
        "  staging: { healthLevel: 2, monitorSeconds: 1 }",
        "",
      ].join("\n"),
    // what tradeops adds beside the manifest: the tests stay out of the artifact (the policy's excludeTests)
    { ...signalLabFiles(), ".deployignore": "tests/\n__pycache__/\n" },
  );
}

interface SignalRecord {
  readonly seq: number;
  readonly release: string;
  readonly hash: string;
  readonly payload: { readonly lookback: number };
}

/**
 * The whole scenario on one kind of host: `local`, or an SSH host whose sessions have tradeops on their PATH and
 * reach `aws` (the supervisor on the host resolves the service's secrets itself, as `tradeops run` does).
 */
export async function signalScenario(aws: FakeAws, sshd?: Sshd): Promise<void> {
  aws.parameters.set("/desk/staging/signal-lab/MARKET_DATA_TOKEN", MARKET_DATA_TOKEN);
  const shop = await signalShop(sshd ? sshd.host : "local");
  onTestFinished(() => shop.cleanup());
  const env = {
    ...shop.env,
    ...aws.env(),
    TRADEOPS_SUPERVISOR_ENTRY: BIN,
    ...(sshd ? { TRADEOPS_SSH_CONFIG: sshd.clientConfig } : {}),
  };
  const run = (...args: string[]) => cli(args, { cwd: shop.root, env });
  const target = shop.target("signal-lab");
  // tradeops on the target, in a release's directory (its manifest): what an operator runs there
  const onTarget = async (release: string, ...args: string[]) => {
    const argv = ["--workspace", join(target, "releases", release), ...args, "--env", "staging"];
    if (!sshd) return cli(argv, { env: { ...shop.env, ...aws.env() } });
    return sshd.exec(["tradeops", ...argv]);
  };
  const verify = async (release: string) => {
    const result = await onTarget(release, "signals", "verify", "signal-lab", "--json");
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const chain = JSON.parse(result.stdout).chains[0];
    expect(chain).toMatchObject({ project: "signal-lab", ok: true, firstSeq: 1, problems: 0 });
    return chain as { records: number; head: { seq: number; hash: string } };
  };
  const records = async (release: string): Promise<SignalRecord[]> => {
    const result = await onTarget(release, "signals", "export", "signal-lab");
    expect(result.code, result.stderr).toBe(0);
    return result.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SignalRecord);
  };
  /** the chain as read on the target once `release` has recorded a record after seq `after` */
  const recordedBy = async (release: string, after: number): Promise<SignalRecord[]> => {
    const deadline = Date.now() + RECORD_DEADLINE_MS;
    for (;;) {
      const all = await records(release);
      if (all.some((r) => r.release === release && r.seq > after)) return all;
      if (Date.now() > deadline) throw new Error(`${release} recorded no signal after #${after} on its target`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const printed: string[] = [];
  const deploy = async () => {
    const result = await run("deploy", "signal-lab", "to", "staging", "--runner", "supervisor", "--json");
    printed.push(result.stdout, result.stderr);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    return JSON.parse(result.stdout).records[0] as { release: string; previous?: string };
  };

  const { release: r1 } = await deploy();
  const chain1 = await recordedBy(r1, 0);
  expect(chain1[0]).toMatchObject({ seq: 1, release: r1, payload: { lookback: 20 } });
  const first = chain1[0]!;
  const v1 = await verify(r1);

  // v2 changes the look-back in the staging config: the shop's code stays as it is
  const staging = readFileSync(join(SIGNAL_LAB, "config/staging.yaml"), "utf8");
  shop.commit("a longer look-back in staging", {
    "signal-lab/config/staging.yaml": `${staging}signals:\n  lookback: 30\n`,
  });
  const { release: r2 } = await deploy();
  expect(r2).not.toBe(r1);
  const chain2 = await recordedBy(r2, v1.head.seq);
  // one chain across releases: release 1's records are still its first ones, release 2's follow them
  expect(chain2[0]).toEqual(first);
  expect(chain2.find((r) => r.release === r2)).toMatchObject({ payload: { lookback: 30 } });
  const v2 = await verify(r2);
  expect(v2.records).toBeGreaterThan(v1.records);

  // the token from SSM reached the service (it says whether it has one), and no output shows it
  const logs = await run("target", "logs", "signal-lab", "staging");
  printed.push(logs.stdout, logs.stderr);
  expect(logs.stdout).toContain('"token_present": true');

  // the chain lives in the target's shared area, none in a release's directory
  expect(existsSync(join(target, "shared/persist/data/signals.db"))).toBe(true);
  for (const r of [r1, r2]) expect(existsSync(join(target, "releases", r, "data/signals.db"))).toBe(false);

  const back = await run("rollback", "signal-lab", "--env", "staging");
  printed.push(back.stdout, back.stderr);
  expect(back.code, back.stderr + back.stdout).toBe(0);
  expect(back.stdout).toContain(`${r2} → ${r1}`);
  const chain3 = await recordedBy(r1, v2.head.seq);
  expect(chain3[0]).toEqual(first);
  expect(chain3.slice(0, chain2.length).map((r) => r.hash)).toEqual(chain2.map((r) => r.hash));
  expect(chain3.at(-1)).toMatchObject({ release: r1, payload: { lookback: 20 } });
  const v3 = await verify(r1);
  expect(v3.records).toBeGreaterThan(v2.records);

  expect(printed.join("")).not.toContain(MARKET_DATA_TOKEN);
}
