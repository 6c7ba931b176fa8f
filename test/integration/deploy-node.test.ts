/**
 * A deployed `tradeops serve argo` (the example desk's strategy, `sendsOrders: true`) on a local staging target
 * against a local Alpaca paper API: the first release claims the lease the deploy hands it and sends orders fenced
 * by its token; the next release starts in shadow, records its decisions as shadow, and sends only after the
 * handoff, with a newer token. Every row carries release, colour and token.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";
import { cli, tradeopsOnPath } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, freePorts, killTargetProcesses } from "../helpers/deploy-desk.js";

const KEY = { keyId: "PKDEPLOYNODE00000001", secretKey: "deploy-node-secret-0000001" };
let desk: DeployDesk;
let alpaca: AlpacaServer;
let target: string;
let bars: { t: string; o: number; h: number; l: number; c: number; v: number }[] = [];
const bar = (time: number, c: number) => ({
  t: new Date(time).toISOString(),
  o: c - 0.25,
  h: c + 0.1,
  l: c - 0.3,
  c,
  v: 1000,
});
/** a few newer bars still rising: the next poll of the live feed brings them, and the strategy decides again */
const moreBars = () => {
  const last = bars[bars.length - 1]!;
  const from = Date.parse(last.t);
  bars = [...bars, ...Array.from({ length: 3 }, (_, i) => bar(from + (i + 1) * 60_000, last.c + (i + 1) * 2))];
  alpaca.setBars("SPY", bars);
};

beforeAll(async () => {
  desk = await createDeployDesk();
  alpaca = await startAlpacaServer({ kind: "paper", keys: [KEY], cash: 100_000 });
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  bars = Array.from({ length: 120 }, (_, i) => bar(now - (120 - i) * 60_000, 400 + i * 2));
  alpaca.setBars("SPY", bars);
  alpaca.setPrice("SPY", 460);
  desk.aws.parameters.set("/desk/staging/alpaca/API_KEY", KEY.keyId);
  desk.aws.parameters.set("/desk/staging/alpaca/API_SECRET", KEY.secretKey);
  desk.aws.parameters.set("/desk/staging/argo/CONTROL_TOKEN", "deploy-node-control-token-01");
  // `tradeops` on the target's PATH is this checkout's CLI
  desk.env.PATH = tradeopsOnPath(desk.root, desk.env.PATH);
  desk.env.TRADEOPS_ALPACA_DATA_URL = alpaca.url;
  desk.env.ARGO_DATA__SOURCE = "alpaca";
  desk.env.ARGO_DATA__TIMEFRAME = "1Min";
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
  desk.git("commit", "-qam", "argo on a local staging target");
  target = join(desk.root, ".tradeops/targets/staging/argo");
}, 60_000);

afterAll(async () => {
  if (target) killTargetProcesses(target);
  await alpaca?.close();
  await desk?.cleanup();
});

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const until = async <T>(probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
};
const latest = async () =>
  JSON.parse((await run("history", "argo", "--env", "staging", "--json", "--limit", "1")).stdout).records[0] as {
    release: string;
    outcome: string;
  };
const ordersOf = (token: number) => alpaca.orders.filter((o) => o.client_order_id.startsWith(`t${token}-argo-`));
const rows = async (release: string) => {
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
      "2000",
      "--json",
    ],
    { env: desk.env },
  );
  return out.code === 0
    ? (JSON.parse(out.stdout).records as { release: string; kind: string; payload: Record<string, unknown> }[])
    : [];
};

describe("a deployed trading node", () => {
  it("sends only with the lease: the first release after the handoff, the next one in shadow until its own", async () => {
    const first = await run("deploy", "argo", "to", "staging");
    expect(first.code, first.stderr).toBe(0);
    const r1 = (await latest()).release;
    moreBars();
    const lease = () =>
      JSON.parse(
        readFileSync(join(target, "shared/lease/argo.alpaca_paper_Staging_Trading_Account.lease.json"), "utf8"),
      );
    const t1 = await until(() => (lease().holder === r1 && ordersOf(lease().token).length ? lease().token : undefined));
    const sent1 = await until(async () => {
      const list = await rows(r1);
      return list.some((r) => r.kind === "order_decision") ? list : undefined;
    });
    for (const row of sent1) expect(row.release).toBe(r1);
    expect(sent1.find((r) => r.kind === "order_decision")!.payload).toMatchObject({ token: t1, color: "blue" });

    desk.commit("argo: a note", { "argo/NOTES.md": "second release\n" });
    const second = await run("deploy", "argo", "to", "staging");
    expect(second.code, second.stderr).toBe(0);
    const r2 = (await latest()).release;
    expect(r2).not.toBe(r1);
    moreBars();
    const t2 = await until(() => (lease().holder === r2 && ordersOf(lease().token).length ? lease().token : undefined));
    expect(t2).toBeGreaterThan(t1);
    // no order with the first release's token after the second one's first order
    const firstOfSecond = alpaca.orders.findIndex((o) => o.client_order_id.startsWith(`t${t2}-`));
    expect(alpaca.orders.slice(firstOfSecond).filter((o) => o.client_order_id.startsWith(`t${t1}-`))).toEqual([]);
    const list = await rows(r2);
    expect(list.some((r) => r.kind === "risk_rejection" && r.payload.rule === "shadow")).toBe(true);
    expect(list.find((r) => r.kind === "order_decision" && r.payload.token === t2)).toMatchObject({
      release: r2,
      payload: { color: "green" },
    });
  }, 240_000);
});
