/**
 * An order sender on two SSH hosts with the PostgreSQL lease: two sshd, each in its own network and mount namespace
 * (the same target path is a different directory on each), reaching the broker and PostgreSQL through tunnels over
 * their sshd. A deploy hands the lease to the new release on the first host, whose process on the second host
 * stands by; then the leader host is partitioned (its sshd, tunnels and release frozen with SIGSTOP) past the
 * lease's expiry: the standby takes the lease over with a newer token, and once thawed the old leader's orders are
 * refused by fencing. A broker that refuses stale tokens records one sender at a time, no stale token accepted.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, freePorts } from "../helpers/deploy-desk.js";
import { report, startFencingBroker } from "../helpers/handoff.js";
import { permitBotSource } from "../helpers/permit-bot.js";
import { createDatabase } from "../helpers/postgres.js";
import { type SshHosts, startSshHosts } from "../helpers/ssh-hosts.js";

/** the lease's time to live on the hosts: a holder sends for TTL less the 2 s skew bound after each renewal */
const TTL_MS = 6_000;

let desk: DeployDesk;
let net: SshHosts;
let broker: Awaited<ReturnType<typeof startFencingBroker>>;
beforeAll(async () => {
  const [database, started, fencing] = await Promise.all([
    createDatabase("sshlease"),
    createDeployDesk(),
    startFencingBroker(),
  ]);
  desk = started;
  broker = fencing;
  net = await startSshHosts(["tro-a", "tro-b"], [Number(new URL(broker.url).port), Number(new URL(database).port)]);
  Object.assign(desk.env, {
    BROKER_URL: broker.url,
    LEASE_DATABASE_URL: database,
    TRADEOPS_LEASE_TTL_MS: String(TTL_MS),
    TRADEOPS_SSH_CONFIG: net.clientConfig,
  });
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const hosts = net.hosts.map((h) => h.host).join(", ");
  const manifest = join(desk.root, "tradeops.yaml");
  const text = readFileSync(manifest, "utf8")
    .replace(
      'signals: { store: "sqlite:data/staging-signals.db"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own variable syntax
      'signals: { store: "postgres:${LEASE_DATABASE_URL}"',
    )
    .replace(
      "projects:\n",
      `projects:\n  hedger:\n    path: hedger\n    kind: strategy\n    sendsOrders: true\n    port: ${port}\n    commands:\n      start: node bot.mjs\n    requiredEnv:\n      staging: [BROKER_URL, LEASE_DATABASE_URL, TRADEOPS_LEASE_TTL_MS]\n`,
    )
    .replace(
      "targets:\n  staging:\n",
      `targets:\n  staging:\n    hedger: { hosts: [${hosts}], path: ${net.path}, port: ${port}, internalPorts: [${blue}, ${green}], lease: postgres }\n`,
    );
  desk.commit("the hedger bot", { "tradeops.yaml": text, "hedger/bot.mjs": permitBotSource() });
}, 45_000);
afterAll(async () => {
  await net?.stop();
  await broker?.close();
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const until = async (what: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};
const ordersBy = (sender: string) => broker.accepted.filter((o) => o.sender === sender);
/** what the bot's logs on a host (every change of its permit, every order it refused) gained since `since` */
const botLog = (dir: string, since = new Map<string, number>()) => {
  const logs = join(dir, "shared/logs");
  const sizes = new Map<string, number>();
  let text = "";
  for (const f of existsSync(logs) ? readdirSync(logs).filter((n) => n.startsWith("hedger@")) : []) {
    const content = readFileSync(join(logs, f), "utf8");
    sizes.set(f, content.length);
    text += content.slice(since.get(f) ?? 0);
  }
  return { text, sizes };
};

describe("order senders on two SSH hosts with the PostgreSQL lease", () => {
  it("one host sends, the other stands by and takes over from a partitioned leader, whose orders fencing refuses", async () => {
    const [a, b] = net.hosts as [SshHosts["hosts"][0], SshHosts["hosts"][0]];
    const plan = await run("deploy", "hedger", "to", "staging", "--dry-run");
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("orders: handoff on the PostgreSQL lease across 2 hosts");
    const releases: string[] = [];
    for (let v = 1; v <= 2; v++) {
      if (v > 1) desk.commit(`bot v${v}`, { "hedger/bot.mjs": `${permitBotSource()}// v${v}\n` });
      const deployed = await run("deploy", "hedger", "to", "staging");
      expect(deployed.code, deployed.stderr).toBe(0);
      const records = JSON.parse((await run("history", "hedger", "--env", "staging", "--json", "--limit", "2")).stdout)
        .records as { release: string; host: string; outcome: string; orderGapMs?: number }[];
      expect(records.map((r) => `${r.outcome}@${r.host}`).sort()).toEqual([
        `succeeded@${a.host}`,
        `succeeded@${b.host}`,
      ]);
      const release = records[0]!.release;
      releases.push(release);
      // the first host took the lease; the second host's process of the same release stands by
      await until(() => ordersBy(`${release}@${a.host}`).length > 10, 15_000);
      expect(records.find((r) => r.host === b.host)?.orderGapMs).toBe(0);
    }
    const [first, second] = releases as [string, string];
    expect(ordersBy(`${first}@${b.host}`)).toEqual([]);
    expect(ordersBy(`${second}@${b.host}`)).toEqual([]);

    // the partition: host a's sshd, tunnels and release freeze past the lease's expiry
    const leader = `${second}@${a.host}`;
    const standby = `${second}@${b.host}`;
    const [logA, logB] = [botLog(a.dir).sizes, botLog(b.dir).sizes];
    const frozenAt = Date.now();
    a.freeze();
    try {
      await until(() => ordersBy(standby).length > 20, TTL_MS * 3);
      const frozenFor = Date.now() - frozenAt;
      expect(frozenFor).toBeGreaterThan(TTL_MS - 2_000);
    } finally {
      a.thaw();
    }
    const leaderBefore = ordersBy(leader).length;
    await until(() => /refused by the permit \(lease\)|lease lost/.test(botLog(a.dir, logA).text), 10_000);
    const standbyBefore = ordersBy(standby).length;
    await until(() => ordersBy(standby).length > standbyBefore + 10, 10_000);
    // the thawed leader sent nothing the broker accepted: its permit refused, and fencing refused what was in flight
    expect(ordersBy(leader).length).toBe(leaderBefore);
    expect(broker.refused.filter((o) => o.sender !== leader)).toEqual([]);
    expect(broker.refused.length).toBeLessThanOrEqual(1);
    expect(botLog(b.dir, logB).text).toContain("taken over");
    console.log(`the thawed leader's log:\n${botLog(a.dir, logA).text}`);

    const r = report(broker.accepted, broker.refused, [`${first}@${a.host}`, leader, standby], {});
    expect(r.staleAccepted).toBe(0);
    expect(r.overlapping).toBe(0);
    console.log(
      `ssh postgres lease, 2 hosts: ${r.accepted} orders accepted, 0 overlapping, ${broker.refused.length} refused as stale; gap at the broker: handoff ${r.gaps[0]} ms, takeover after the partition ${r.gaps[1]} ms (TTL ${TTL_MS} ms)`,
    );
  }, 60_000);
});
