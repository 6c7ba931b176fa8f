/**
 * Repeated deploys of an order sender to SSH hosts, for bench/handoff.bench.mjs (the tests run a few by hand):
 * one host with the file lease, or two with the PostgreSQL lease, each host a real sshd in its own namespaces
 * (ssh-hosts.ts), the bot running the product's permit and lease (permit-bot.ts), a broker refusing stale tokens.
 * Reports the gap without orders at the broker for each handoff and the gap each deploy recorded.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "./cli.js";
import { createDeployDesk, freePorts, killTargetProcesses } from "./deploy-desk.js";
import { type HandoffReport, report, startFencingBroker } from "./handoff.js";
import { permitBotSource } from "./permit-bot.js";
import { startSshHosts } from "./ssh-hosts.js";

export interface SshHandoffOptions {
  /** handoffs: deploys after the first */
  readonly count: number;
  /** the PostgreSQL lease across two hosts (default: the file lease on one host) */
  readonly postgresUrl?: string;
  /** the baseline: the same deploys to a `local` target (the file lease, no SSH) */
  readonly local?: boolean;
  readonly log?: (line: string) => void;
}

export async function runSshDeployHandoffs(
  o: SshHandoffOptions,
): Promise<HandoffReport & { readonly recorded: { readonly median: number; readonly p99: number } }> {
  const broker = await startFencingBroker();
  const tunnels = [Number(new URL(broker.url).port), ...(o.postgresUrl ? [Number(new URL(o.postgresUrl).port)] : [])];
  const desk = await createDeployDesk();
  const net = o.local
    ? { hosts: [{ host: "local" }], path: ".tradeops/targets/staging/scalper", clientConfig: "", stop: async () => {} }
    : await startSshHosts(o.postgresUrl ? ["tro-a", "tro-b"] : ["tro-a"], tunnels).catch(async (error) => {
        await Promise.all([broker.close(), desk.cleanup()]);
        throw error;
      });
  try {
    Object.assign(desk.env, {
      BROKER_URL: broker.url,
      TRADEOPS_SSH_CONFIG: net.clientConfig,
      ...(o.postgresUrl ? { LEASE_DATABASE_URL: o.postgresUrl } : {}),
    });
    const [port, blue, green] = (await freePorts(3)) as [number, number, number];
    const manifest = join(desk.root, "tradeops.yaml");
    let text = readFileSync(manifest, "utf8")
      .replace(
        "projects:\n",
        `projects:\n  scalper:\n    path: scalper\n    kind: strategy\n    sendsOrders: true\n    port: ${port}\n    commands:\n      start: node bot.mjs\n    requiredEnv:\n      staging: [BROKER_URL${o.postgresUrl ? ", LEASE_DATABASE_URL" : ""}]\n`,
      )
      .replace(
        "targets:\n  staging:\n",
        `targets:\n  staging:\n    scalper: { hosts: [${net.hosts.map((h) => h.host).join(", ")}], path: ${net.path}, port: ${port}, internalPorts: [${blue}, ${green}], lease: ${o.postgresUrl ? "postgres" : "file"} }\n`,
      );
    if (o.postgresUrl) {
      text = text.replace(
        'signals: { store: "sqlite:data/staging-signals.db"',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own variable syntax
        'signals: { store: "postgres:${LEASE_DATABASE_URL}"',
      );
    }
    desk.commit("the scalper bot", { "tradeops.yaml": text, "scalper/bot.mjs": permitBotSource() });
    const leader = net.hosts[0]!.host;
    const handedTo: string[] = [];
    const recorded: number[] = [];
    for (let v = 0; v <= o.count; v++) {
      if (v > 0) desk.commit(`bot v${v}`, { "scalper/bot.mjs": `${permitBotSource()}// v${v}\n` });
      const deployed = await cli(["deploy", "scalper", "to", "staging"], { cwd: desk.root, env: desk.env });
      if (deployed.code !== 0) throw new Error(`deploy ${v} failed: ${deployed.stderr}`);
      const history = await cli(["history", "scalper", "--env", "staging", "--json", "--limit", "1"], {
        cwd: desk.root,
        env: desk.env,
      });
      const record = JSON.parse(history.stdout).records[0] as { release: string; orderGapMs?: number };
      const sender = o.postgresUrl ? `${record.release}@${leader}` : record.release;
      if (v > 0 && typeof record.orderGapMs === "number" && !o.postgresUrl) recorded.push(record.orderGapMs);
      handedTo.push(sender);
      const deadline = Date.now() + 15_000;
      while (broker.accepted.filter((a) => a.sender === sender).length < 10) {
        if (Date.now() > deadline) throw new Error(`${sender} sent nothing within 15 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      if (v > 0) o.log?.(`${v} handoffs ${o.local ? "on a local target" : "over ssh"}`);
    }
    if (o.postgresUrl) {
      // the first host's deploy record carries the handoff; the second host's is 0 (its release already held it)
      const all = await cli(
        ["history", "scalper", "--env", "staging", "--json", "--limit", String(2 * (o.count + 1))],
        {
          cwd: desk.root,
          env: desk.env,
        },
      );
      for (const r of JSON.parse(all.stdout).records as { host: string; orderGapMs?: number }[])
        if (r.host === leader && typeof r.orderGapMs === "number") recorded.push(r.orderGapMs);
      recorded.pop(); // the first deploy's: nothing to hand over from
    }
    const sorted = [...recorded].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
    return {
      ...report(broker.accepted, broker.refused, handedTo, { none: o.count }),
      recorded: { median: q(0.5), p99: q(0.99) },
    };
  } finally {
    if (o.local) killTargetProcesses(join(desk.root, net.path));
    await net.stop();
    await broker.close();
    await desk.cleanup();
  }
}
