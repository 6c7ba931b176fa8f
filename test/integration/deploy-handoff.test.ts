/**
 * The order-sending handoff: across repeated deploys, a release that fails health, a release that fails after the
 * switch, and a deploy killed during the handoff, a broker recording every order never sees two releases send at
 * once — each release's orders form one unbroken run, fencing tokens only grow — and the gap is recorded.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { spawnCli } from "../helpers/deploy-child.js";
import { createDeployDesk, type DeployDesk, freePorts, killTargetProcesses } from "../helpers/deploy-desk.js";
import { botSource, JITI_REGISTER, runsOf, startTestBroker, type TestBroker } from "../helpers/order-bot.js";

let desk: DeployDesk;
let broker: TestBroker;
let botTarget: string;
beforeAll(async () => {
  desk = await createDeployDesk();
  broker = await startTestBroker();
  desk.env.BROKER_URL = broker.url;
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const manifest = join(desk.root, "tradeops.yaml");
  let text = readFileSync(manifest, "utf8");
  text = text.replace(
    "projects:\n",
    `projects:\n  scalper:\n    path: scalper\n    kind: strategy\n    sendsOrders: true\n    port: ${port}\n    commands:\n      start: node --import ${JITI_REGISTER} bot.mjs\n    requiredEnv:\n      staging: [BROKER_URL]\n`,
  );
  text = text.replace(
    "targets:\n  staging:\n",
    `targets:\n  staging:\n    scalper: { hosts: [local], path: .tradeops/targets/staging/scalper, port: ${port}, internalPorts: [${blue}, ${green}] }\n`,
  );
  // a monitoring window long enough to catch a release that degrades 1.5 s after it starts
  text = text.replace("monitorSeconds: 1", "monitorSeconds: 4");
  mkdirSync(join(desk.root, "scalper"));
  writeFileSync(manifest, text);
  botTarget = join(desk.root, ".tradeops/targets/staging/scalper");
  desk.commit("the scalper bot", { "scalper/bot.mjs": botSource() });
}, 30_000);
afterAll(async () => {
  killTargetProcesses(botTarget);
  await broker?.close();
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
let version = 0;
const next = (detailed?: string) =>
  desk.commit(`bot v${++version}`, { "scalper/bot.mjs": `${botSource(detailed)}// v${version}\n` });
const sendingRelease = () =>
  JSON.parse(readFileSync(join(botTarget, "shared/lease/scalper.default.lease.json"), "utf8")).holder;
const ordersBy = (release: string) => broker.orders.filter((o) => o.release === release).length;
const until = async (what: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("order-sending handoff", () => {
  it("never lets two releases send at once, through deploys, failures and a killed deploy", async () => {
    const gaps: number[] = [];
    const deployed: string[] = [];
    const deployOk = async () => {
      next();
      const result = await run("deploy", "scalper", "to", "staging");
      expect(result.code, result.stderr).toBe(0);
      const record = JSON.parse((await run("history", "scalper", "--env", "staging", "--json", "--limit", "1")).stdout)
        .records[0];
      expect(record.outcome).toBe("succeeded");
      if (deployed.length) gaps.push(record.orderGapMs);
      deployed.push(record.release);
      await until(() => ordersBy(record.release) > 20);
    };

    await deployOk();
    await deployOk();

    // fails health before the switch: it never holds the lease, the old release keeps sending
    const sender = sendingRelease();
    next("false");
    const failed = await run("deploy", "scalper", "to", "staging", "--start-timeout", "2");
    expect(failed.code).toBe(1);
    expect(sendingRelease()).toBe(sender);
    const unhealthy = JSON.parse((await run("history", "scalper", "--env", "staging", "--json", "--limit", "1")).stdout)
      .records[0];
    expect(unhealthy.outcome).toBe("failed");
    const before = ordersBy(sender);
    await until(() => ordersBy(sender) > before + 20);

    // fails in the monitoring window after taking over: the lease returns to the old release, started again
    next("Date.now() - started < 1500");
    const rolled = await run("deploy", "scalper", "to", "staging");
    expect(rolled.code).toBe(1);
    expect(rolled.stderr).toContain("failed and was rolled back");
    expect(sendingRelease()).toBe(sender);
    const record = JSON.parse((await run("history", "scalper", "--env", "staging", "--json", "--limit", "1")).stdout)
      .records[0];
    expect(record).toMatchObject({ outcome: "rolled-back", orderGapMs: expect.any(Number) });
    const afterRollback = ordersBy(sender);
    await until(() => ordersBy(sender) > afterRollback + 20);

    // killed in the middle of the handoff: the next deploy recovers, and the lease follows what serves
    next();
    const child = spawnCli(["deploy", "scalper", "to", "staging"], { cwd: desk.root, env: desk.env });
    await child.waitFor(/^▶ scalper@local handoff/);
    await child.kill();
    await deployOk();
    await deployOk();

    // in arrival order, fencing tokens never go down, and each token belongs to one release: two releases sending at
    // once would interleave their (different) tokens and break the first rule
    const arrived = [...broker.orders].sort((a, b) => a.at - b.at);
    for (let i = 1; i < arrived.length; i++) expect(arrived[i]!.token).toBeGreaterThanOrEqual(arrived[i - 1]!.token);
    const owner = new Map<number, string>();
    for (const o of arrived) {
      if (!owner.has(o.token)) owner.set(o.token, o.release);
      expect(owner.get(o.token)).toBe(o.release);
    }
    const runs = runsOf(broker.orders);
    expect(runs.length).toBeGreaterThanOrEqual(6);
    expect(ordersBy(unhealthy.release)).toBe(0);
    expect(gaps.every((g) => typeof g === "number" && g >= 0)).toBe(true);
    console.log(
      `handoff: ${broker.orders.length} orders in ${runs.length} runs; recorded gaps ${gaps.join(", ")} ms; gaps at the broker ${runs
        .slice(1)
        .map((r, i) => (r.first - runs[i]!.last).toFixed(0))
        .join(", ")} ms`,
    );
  }, 240_000);
});
