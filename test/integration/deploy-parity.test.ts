/**
 * Gate 12 on a copy of the example desk: argo, deployed to a local staging target, paper-trades a replay of the
 * archived S&P 500 closes and records its signals; the next release replays the bars the active one saw. The same
 * strategy passes; a changed parameter fails (the policy blocks) naming the first divergent decision, and passes
 * with --accept-signal-changes, which the deploy's history records.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";
import { cli, tradeopsOnPath } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, freePorts, killTargetProcesses } from "../helpers/deploy-desk.js";

const KEY = { keyId: "PKPARITYGATE00000001", secretKey: "parity-gate-secret-0000001" };
let desk: DeployDesk;
let alpaca: AlpacaServer;
let target: string;

beforeAll(async () => {
  desk = await createDeployDesk({ stagingPolicy: ["signalChanges: block", "signalParityDays: 3650"] });
  alpaca = await startAlpacaServer({ kind: "paper", keys: [KEY], cash: 100_000 });
  desk.aws.parameters.set("/desk/staging/alpaca/API_KEY", KEY.keyId);
  desk.aws.parameters.set("/desk/staging/alpaca/API_SECRET", KEY.secretKey);
  desk.aws.parameters.set("/desk/staging/argo/CONTROL_TOKEN", "parity-gate-control-token-01");
  desk.env.PATH = tradeopsOnPath(desk.root, desk.env.PATH);
  desk.env.TRADEOPS_ALPACA_DATA_URL = alpaca.url;
  // paper trading replays the archived S&P 500 closes, 20 years in about two minutes: its clock is the bars
  const schema = join(desk.root, "argo/config.schema.ts");
  writeFileSync(
    schema,
    readFileSync(schema, "utf8").replace(
      'timeframe: z.string().default("1Day")',
      'replay_speed: z.number().optional(),\n    timeframe: z.string().default("1Day")',
    ),
  );
  const staging = join(desk.root, "argo/config/staging.yaml");
  // the 2000–2002 fall would trip the 15 % stop-loss and leave the target degraded before the last deploy
  const overlay = readFileSync(staging, "utf8").replace(
    "max_trade_usd: 2000",
    "max_trade_usd: 2000\n  emergency_stop_loss_pct: 0.9",
  );
  writeFileSync(staging, `${overlay}data:\n  source: sample:sp500\n  replay_speed: 5000000\n`);
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const manifest = join(desk.root, "tradeops.yaml");
  let text = readFileSync(manifest, "utf8");
  text = text.replace(
    "argo: { hosts: [local], path: .tradeops/targets/staging/argo, port: 8200 }",
    `argo: { hosts: [local], path: .tradeops/targets/staging/argo, port: ${port}, internalPorts: [${blue}, ${green}] }`,
  );
  text = text.replace(
    "        accountName: Staging Trading Account\n",
    `        accountName: Staging Trading Account\n        baseUrl: ${alpaca.url}\n`,
  );
  writeFileSync(manifest, text);
  const example = await cli(["config", "example", "argo", "--write"], { cwd: desk.root, env: desk.env });
  expect(example.code, example.stderr).toBe(0);
  desk.git("commit", "-qam", "argo on a local staging target");
  target = join(desk.root, ".tradeops/targets/staging/argo");
}, 60_000);

afterAll(async () => {
  if (target) killTargetProcesses(target);
  await alpaca?.close();
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
interface Gate {
  gate: number;
  status: string;
  reason: string;
  details?: string[];
}
const gate12 = async (...extra: string[]) => {
  const out = await run("gates", "argo", "to", "staging", "--json", ...extra);
  const gates = JSON.parse(out.stdout).gates as Gate[];
  return { code: out.code, gate: gates.find((g) => g.gate === 12)!, stderr: out.stderr };
};
/** the active release's signals as the signal log holds them */
const signals = async (release: string) => {
  const out = await cli(
    [
      "--workspace",
      join(target, "releases", release),
      "signals",
      "tail",
      "argo",
      "--env",
      "staging",
      "-n",
      "500",
      "--json",
    ],
    { env: desk.env },
  );
  if (out.code !== 0) return [];
  return (JSON.parse(out.stdout).records as { kind: string; release: string }[]).filter(
    (r) => r.kind === "signal" && r.release === release,
  );
};

describe("gate 12: signal parity", () => {
  it("passes an unchanged strategy and names the first divergent decision of a changed one", async () => {
    const first = await run("deploy", "argo", "to", "staging");
    expect(first.code, first.stderr).toBe(0);
    const history = JSON.parse((await run("history", "argo", "--env", "staging", "--json", "--limit", "1")).stdout);
    const r1 = history.records[0].release as string;
    // the first deploy had nothing to compare against
    expect(history.records[0].gates.find((g: Gate) => g.gate === 12).reason).toMatch(/nothing deployed yet/);
    // the release replays its warm-up bars as it starts: wait until its signals are recorded (bounded)
    let recorded: unknown[] = [];
    for (let i = 0; i < 300 && recorded.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      recorded = await signals(r1);
    }
    expect(recorded.length).toBeGreaterThanOrEqual(3);

    desk.commit("argo: a note", { "argo/NOTES.md": "same strategy\n" });
    const same = await gate12();
    expect(same.gate.status, same.gate.reason).toBe("pass");
    expect(same.gate.reason).toMatch(
      new RegExp(
        `argo: \\d+ decisions on sample:sp500 .* \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d → .*, all the same as ${r1}'s`,
      ),
    );

    const staging = join(desk.root, "argo/config/staging.yaml");
    desk.commit("argo: slower trend", {
      "argo/config/staging.yaml": `${readFileSync(staging, "utf8")}strategy:\n  slow_window: 45\n`,
    });
    const changed = await gate12();
    expect(changed.code).toBe(1);
    expect(changed.gate.status).toBe("fail");
    expect(changed.gate.reason).toBe("signals of argo differ from the active release's");
    expect(changed.gate.details![0]).toMatch(
      new RegExp(
        `^argo: first divergent decision #\\d+: active ${r1} \\d{4}-\\d\\d-\\d\\dT\\S+ SPY (buy|sell|flat|\\(no more decisions\\)).*, new release `,
      ),
    );

    const accepted = await run("deploy", "argo", "to", "staging", "--accept-signal-changes", "slower trend, reviewed");
    expect(accepted.code, accepted.stderr).toBe(0);
    const record = JSON.parse((await run("history", "argo", "--env", "staging", "--json", "--limit", "1")).stdout)
      .records[0];
    expect(record.acceptedSignalChanges).toBe("slower trend, reviewed");
    const passed = record.gates.find((g: Gate) => g.gate === 12) as Gate;
    expect(passed.status).toBe("pass");
    expect(passed.reason).toMatch(/differ from the active release's; accepted by the operator: slower trend, reviewed/);
    expect(passed.details![0]).toMatch(/first divergent decision/);

    // where the policy only warns, a difference is reported and passes
    const r2 = record.release as string;
    let second: unknown[] = [];
    for (let i = 0; i < 300 && second.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      second = await signals(r2);
    }
    expect(second.length).toBeGreaterThanOrEqual(3);
    desk.editManifest("    signalChanges: block\n", "");
    const text = readFileSync(staging, "utf8");
    desk.commit("argo: slower still", {
      "argo/config/staging.yaml": text.replace("slow_window: 45", "slow_window: 50"),
    });
    const warned = await gate12();
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.gate.status).toBe("pass");
    expect(warned.gate.reason).toBe("signals of argo differ from the active release's (the staging policy only warns)");
    expect(warned.gate.details![0]).toMatch(/^argo: first divergent decision #\d+: active /);
  }, 180_000);
});
