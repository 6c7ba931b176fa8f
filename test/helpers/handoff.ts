/**
 * Executor handoffs under faults, for the handoff test (a short run) and bench/handoff.bench.mjs (the full count).
 * A broker faithful to Alpaca's POST /v2/orders refuses any order whose fencing token (the client order id's
 * `t<token>-` prefix) is older than the newest it has seen; senders (test/helpers/handoff-sender.mjs: the real
 * permit and lease store in front of the real Alpaca client) are handed the lease the way a deploy does it — the
 * next one started in shadow first, the lease fenced, the old one stopped, the lease given to the new one — with
 * a fault injected into most handoffs: SIGKILL of the old or the new sender, SIGSTOP of the holder past expiry
 * then SIGCONT (the new one takes the lapsed lease itself), the lease store stalled, the new sender's clock skewed
 * within the documented bound. Every spawned process is killed at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { postgresLeaseStore } from "../../src/accounts/lease-postgres.js";
import { fileLeaseStore, LEASE_CLOCK_SKEW_MS, type LeaseStore } from "../../src/accounts/lease-store.js";

const SENDER = join(import.meta.dirname, "handoff-sender.mjs");
const HANDOFF_HOLDER = "(handoff)";
export const FAULTS = ["none", "kill-old", "kill-new", "stop-old", "stall-store", "skew"] as const;
export type Fault = (typeof FAULTS)[number];

export interface BrokerOrder {
  readonly sender: string;
  readonly token: number;
  readonly at: number;
}

/** Alpaca v2 orders with fencing: 422 for a token older than the newest seen, the order otherwise. */
export async function startFencingBroker() {
  const accepted: BrokerOrder[] = [];
  const refused: BrokerOrder[] = [];
  let newest = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.method !== "POST" || req.url !== "/v2/orders") return send(404, { code: 40410000, message: "not found" });
      if (!req.headers["apca-api-key-id"]) return send(401, { code: 40110000, message: "request is not authorized" });
      const order = JSON.parse(body) as { client_order_id: string; symbol: string; qty: string; side: string };
      const m = /^t(\d+)-(.+)-\d+$/.exec(order.client_order_id);
      const token = m ? Number(m[1]) : 0;
      const entry = { sender: m?.[2] ?? "?", token, at: performance.now() };
      if (token < newest) {
        refused.push(entry);
        return send(422, { code: 42210000, message: `fencing token ${token} is older than ${newest}` });
      }
      newest = token;
      accepted.push(entry);
      send(200, {
        id: `o-${accepted.length}`,
        client_order_id: order.client_order_id,
        symbol: order.symbol,
        qty: order.qty,
        side: order.side,
        type: "market",
        status: "accepted",
        filled_qty: "0",
        filled_avg_price: null,
        created_at: new Date().toISOString(),
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    refused,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface HandoffOptions {
  readonly count: number;
  /** the lease's time to live: the SIGSTOP fault waits past it */
  readonly ttlMs?: number;
  /** a PostgreSQL URL for the lease (default: a file lease in a temporary directory) */
  readonly postgresUrl?: string;
  readonly faults?: readonly Fault[];
  readonly log?: (line: string) => void;
}

export interface HandoffReport {
  readonly handoffs: number;
  readonly faults: Record<string, number>;
  readonly accepted: number;
  /** orders the broker refused for a stale token (fencing caught a late send) */
  readonly staleRefused: number;
  /** accepted orders whose token was older than one accepted before them */
  readonly staleAccepted: number;
  /** senders whose accepted orders were interleaved with another sender's */
  readonly overlapping: number;
  /** per handoff: the old sender's last accepted order to the new one's first, ms */
  readonly gaps: number[];
  readonly median: number;
  readonly p99: number;
  /** the median time between two accepted orders of one sender: what a gap compares with */
  readonly interval: number;
}

interface Sender {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** resolves once the sender printed `word` */
  printed(word: string, ms: number): Promise<void>;
}

export async function runHandoffs(o: HandoffOptions): Promise<HandoffReport> {
  const ttlMs = o.ttlMs ?? 600;
  const faults = o.faults ?? FAULTS;
  const dir = mkdtempSync(join(tmpdir(), "tradeops-handoff-"));
  const leaseDir = join(dir, "lease");
  mkdirSync(leaseDir);
  const broker = await startFencingBroker();
  const store: LeaseStore = o.postgresUrl
    ? await postgresLeaseStore({ url: o.postgresUrl, display: "lease db", project: "scalper", account: "paper", ttlMs })
    : fileLeaseStore({ dir: leaseDir, project: "scalper", account: "paper", ttlMs });
  const children = new Set<ChildProcess>();
  let n = 0;
  const start = (orders: "on" | "off", skew = 0): Sender => {
    const name = `s${++n}`;
    const child = spawn(process.execPath, [SENDER], {
      env: {
        PATH: process.env.PATH ?? "",
        HOLDER: name,
        ORDERS: orders,
        TTL_MS: String(ttlMs),
        SKEW_MS: String(skew),
        SKEW_BOUND_MS: String(Math.min(LEASE_CLOCK_SKEW_MS, ttlMs / 4)),
        BROKER_URL: broker.url,
        ...(o.postgresUrl ? { LEASE_URL: o.postgresUrl } : { LEASE_DIR: leaseDir }),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.add(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    exited.then(() => children.delete(child));
    const printed = async (word: string, ms: number) => {
      const deadline = performance.now() + ms;
      while (!out.includes(word)) {
        if (performance.now() > deadline) throw new Error(`sender ${name} did not print "${word}" within ${ms} ms`);
        if (child.exitCode !== null) throw new Error(`sender ${name} exited before printing "${word}"`);
        await sleep(1);
      }
    };
    return { name, child, exited, printed };
  };
  const ready = (s: Sender) => s.printed("ready", 20_000);
  const holding = (s: Sender, ms = 10_000) => s.printed("holding", ms);
  const stop = async (s: Sender) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return;
    s.child.kill("SIGTERM");
    const killed = sleep(5_000).then(() => s.child.kill("SIGKILL"));
    await Promise.race([s.exited, killed]);
    await s.exited;
  };
  const firstOrderOf = async (s: Sender, ms = 10_000) => {
    const deadline = performance.now() + ms;
    while (!broker.accepted.some((a) => a.sender === s.name)) {
      if (performance.now() > deadline) throw new Error(`sender ${s.name} sent nothing within ${ms} ms`);
      await sleep(2);
    }
  };
  const counts: Record<string, number> = {};
  const handedTo: string[] = [];
  try {
    let current = start("on");
    await ready(current);
    await holding(current);
    await firstOrderOf(current);
    handedTo.push(current.name);
    let next = start("off");
    for (let i = 0; i < o.count; i++) {
      const fault = faults[i % faults.length]!;
      counts[fault] = (counts[fault] ?? 0) + 1;
      if (fault === "stop-old") {
        // the holder freezes past expiry; a sender started with orders on takes the lapsed lease by itself
        await stop(next);
        next = start("on");
        await ready(next);
        current.child.kill("SIGSTOP");
        await holding(next, ttlMs * 4 + 5_000);
        await firstOrderOf(next);
        current.child.kill("SIGCONT");
        await sleep(ttlMs / 4);
        await stop(current);
      } else {
        if (fault === "skew") {
          await stop(next);
          next = start("off", i % 2 ? LEASE_CLOCK_SKEW_MS / 4 : -LEASE_CLOCK_SKEW_MS / 4);
        }
        await ready(next);
        if (fault === "kill-old") current.child.kill("SIGKILL");
        if (fault === "stall-store") await stall(leaseDir, ttlMs / 3, o.postgresUrl);
        await store.transfer(HANDOFF_HOLDER);
        await stop(current);
        await store.transfer(next.name);
        await holding(next);
        await firstOrderOf(next);
        if (fault === "kill-new") {
          // the new sender dies right after taking over; the next deploy hands the lease to a fresh one
          next.child.kill("SIGKILL");
          await next.exited;
          const again = start("off");
          await ready(again);
          await store.transfer(HANDOFF_HOLDER);
          await store.transfer(again.name);
          await holding(again);
          await firstOrderOf(again);
          handedTo.push(next.name);
          next = again;
        }
      }
      handedTo.push(next.name);
      current = next;
      next = start("off");
      if ((i + 1) % 50 === 0) o.log?.(`${i + 1} handoffs`);
    }
    await sleep(20);
    await stop(next);
    await stop(current);
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await store.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return report(broker.accepted, broker.refused, handedTo, counts);
}

/** Holds the file lease's lock or the PostgreSQL lease row's lock for `ms`: every change of the lease waits. */
async function stall(leaseDir: string, ms: number, postgresUrl?: string): Promise<void> {
  if (!postgresUrl) {
    const lock = join(leaseDir, "scalper.paper.lease.json.lock");
    // take the lock as any lease change does: wait while a sender holds it for its own change
    const deadline = performance.now() + 5_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || performance.now() > deadline) throw error;
        await sleep(1);
      }
    }
    await sleep(ms);
    rmSync(lock, { recursive: true, force: true });
    return;
  }
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      "SELECT 1 FROM tradeops_executor_lease WHERE project = 'scalper' AND account = 'paper' FOR UPDATE",
    );
    await sleep(ms);
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

export function report(
  accepted: readonly BrokerOrder[],
  refused: readonly BrokerOrder[],
  handedTo: readonly string[],
  faults: Record<string, number>,
): HandoffReport {
  const arrived = [...accepted].sort((a, b) => a.at - b.at);
  let staleAccepted = 0;
  let newest = 0;
  for (const a of arrived) {
    if (a.token < newest) staleAccepted++;
    newest = Math.max(newest, a.token);
  }
  const runs: { sender: string; first: number; last: number }[] = [];
  for (const a of arrived) {
    const run = runs[runs.length - 1];
    if (run?.sender === a.sender) run.last = a.at;
    else runs.push({ sender: a.sender, first: a.at, last: a.at });
  }
  const seen = new Set<string>();
  let overlapping = 0;
  for (const r of runs) {
    if (seen.has(r.sender)) overlapping++;
    seen.add(r.sender);
  }
  const bySender = new Map(runs.map((r) => [r.sender, r]));
  const gaps: number[] = [];
  for (let i = 1; i < handedTo.length; i++) {
    const before = bySender.get(handedTo[i - 1]!);
    const after = bySender.get(handedTo[i]!);
    if (before && after) gaps.push(Math.max(0, after.first - before.last));
  }
  const q = quantiles(gaps);
  const intervals: number[] = [];
  for (let i = 1; i < arrived.length; i++)
    if (arrived[i]!.sender === arrived[i - 1]!.sender) intervals.push(arrived[i]!.at - arrived[i - 1]!.at);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    handoffs: Object.values(faults).reduce((a, b) => a + b, 0),
    faults,
    accepted: accepted.length,
    staleRefused: refused.length,
    staleAccepted,
    overlapping,
    gaps: gaps.map(round),
    median: round(q(0.5)),
    p99: round(q(0.99)),
    interval: round(quantiles(intervals)(0.5)),
  };
}

function quantiles(values: readonly number[]): (p: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}
