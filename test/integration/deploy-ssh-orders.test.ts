/**
 * An order sender deployed to an SSH host (a real sshd on loopback): the handoff runs on the host — the new release
 * starts in shadow, passes health, the lease file on the host is fenced through the command channel, the old
 * release stops and the new one is handed the lease — and a broker that refuses stale fencing tokens records one
 * sender at a time, no stale token accepted. The bot runs the product's permit and lease (test/helpers/permit-bot.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, freePorts, killTargetProcesses } from "../helpers/deploy-desk.js";
import { report, startFencingBroker } from "../helpers/handoff.js";
import { permitBotSource } from "../helpers/permit-bot.js";
import { type Sshd, startSshd } from "../helpers/sshd.js";

let desk: DeployDesk;
let sshd: Sshd;
let broker: Awaited<ReturnType<typeof startFencingBroker>>;
let remote: string;
beforeAll(async () => {
  [sshd, desk, broker] = await Promise.all([startSshd(), createDeployDesk(), startFencingBroker()]);
  remote = join(desk.root, "remote-host/srv/scalper");
  desk.env.BROKER_URL = broker.url;
  desk.env.TRADEOPS_SSH_CONFIG = sshd.clientConfig;
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const manifest = join(desk.root, "tradeops.yaml");
  const text = readFileSync(manifest, "utf8")
    .replace(
      "projects:\n",
      `projects:\n  scalper:\n    path: scalper\n    kind: strategy\n    sendsOrders: true\n    port: ${port}\n    commands:\n      start: node bot.mjs\n    requiredEnv:\n      staging: [BROKER_URL]\n`,
    )
    .replace(
      "targets:\n  staging:\n",
      `targets:\n  staging:\n    scalper: { hosts: [${sshd.host}], path: ${remote}, port: ${port}, internalPorts: [${blue}, ${green}] }\n`,
    );
  desk.commit("the scalper bot", { "tradeops.yaml": text, "scalper/bot.mjs": permitBotSource() });
}, 30_000);
afterAll(async () => {
  if (remote) killTargetProcesses(remote);
  await broker?.close();
  await desk?.cleanup();
  await sshd?.stop();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const until = async (what: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};
const ordersBy = (sender: string) => broker.accepted.filter((o) => o.sender === sender).length;

describe("order senders on an SSH host", () => {
  it("hands the lease file on the host from one release to the next: one sender at a time, no stale token", async () => {
    const plan = await run("deploy", "scalper", "to", "staging", "--dry-run");
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("→ handoff →");
    expect(plan.stdout).toContain(`orders: handoff on the file lease on ${sshd.host}`);

    const releases: string[] = [];
    const gaps: number[] = [];
    for (let v = 1; v <= 2; v++) {
      if (v > 1) desk.commit(`bot v${v}`, { "scalper/bot.mjs": `${permitBotSource()}// v${v}\n` });
      const deployed = await run("deploy", "scalper", "to", "staging");
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stdout).toContain(`to staging on ${sshd.host}`);
      const record = JSON.parse((await run("history", "scalper", "--env", "staging", "--json", "--limit", "1")).stdout)
        .records[0];
      expect(record).toMatchObject({ outcome: "succeeded", host: sshd.host });
      if (v > 1) gaps.push(record.orderGapMs);
      releases.push(record.release);
      await until(() => ordersBy(record.release) > 20);
    }
    // the lease file on the host names the release that serves, and only it sends
    const lease = JSON.parse(readFileSync(join(remote, "shared/lease/scalper.default.lease.json"), "utf8"));
    expect(lease.holder).toBe(releases[1]);
    const before = ordersBy(releases[0]!);
    await new Promise((r) => setTimeout(r, 200));
    expect(ordersBy(releases[0]!)).toBe(before);

    const r = report(broker.accepted, broker.refused, releases, {});
    expect(r.staleAccepted).toBe(0);
    expect(r.overlapping).toBe(0);
    expect(broker.refused).toEqual([]);
    expect(gaps.every((g) => typeof g === "number" && g >= 0)).toBe(true);
    console.log(
      `ssh file lease: ${r.accepted} orders accepted, 0 overlapping; recorded gap ${gaps.join(", ")} ms; gap at the broker ${r.gaps.join(", ")} ms`,
    );
  }, 60_000);
});
