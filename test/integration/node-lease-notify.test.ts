/**
 * A node that loses its executor lease tells the operators: `tradeops serve argo` under a file lease (as a deploy
 * starts it) holds the lease, another holder takes it, and the environment's webhook receives one `lease-lost`
 * message naming the project, the release and why, with the webhook's secret nowhere in it or in the output.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openLease } from "../../src/accounts/lease.js";
import { copyWorkspace } from "../helpers/cli.js";
import { startHttpEndpoints } from "../notify/servers.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
const HOOK_SECRET = "lease-hook-secret-51d2e3";
const ACCOUNT = "simulated:argo-test";
const DEADLINE_MS = 45_000;

let child: ChildProcess | undefined;
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  if (child?.exitCode === null && child.pid) {
    const exited = new Promise((r) => child!.once("exit", r));
    process.kill(child.pid, "SIGTERM");
    await exited;
  }
  for (const c of cleanup) await c();
});

async function until<T>(what: string, probe: () => T | undefined, output: () => string): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline || child?.exitCode !== null) throw new Error(`${what} did not happen:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("sends lease-lost when another holder takes the lease, without the channel's secret", {
  timeout: 90_000,
}, async () => {
  const hooks = await startHttpEndpoints();
  cleanup.push(() => hooks.close());
  const ws = copyWorkspace();
  const leaseDir = mkdtempSync(join(tmpdir(), "tradeops-lease-notify-"));
  cleanup.push(() => rmSync(ws, { recursive: true, force: true }));
  cleanup.push(() => rmSync(leaseDir, { recursive: true, force: true }));
  const manifest = join(ws, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8").replace(
      "    idle: { processes: [cursor, code], heartbeatMaxAgeMinutes: 30 }\n",
      "    idle: { processes: [cursor, code], heartbeatMaxAgeMinutes: 30 }\n    notifications:\n" +
        `      - { type: webhook, name: desk-hook, url: "http://127.0.0.1:${hooks.port}/hook/\${HOOK_SECRET}" }\n`,
    ),
  );
  expect(readFileSync(manifest, "utf8")).toContain("desk-hook");

  let output = "";
  child = spawn(process.execPath, [BIN, "--workspace", ws, "serve", "argo", "--port", "0"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      HOOK_SECRET,
      TRADEOPS_LEASE_DIR: leaseDir,
      TRADEOPS_LEASE_ACCOUNT: ACCOUNT,
      TRADEOPS_RELEASE: "r-blue-1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));

  const lease = openLease({ dir: leaseDir, project: "argo", account: ACCOUNT });
  const held = await until(
    "the node taking the lease",
    () => {
      const s = lease.read();
      return s.holder === "r-blue-1" ? s.token : undefined;
    },
    () => output,
  );
  expect(hooks.received).toEqual([]);
  const port = await until(
    "the port",
    () => /health on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)?.[1],
    () => output,
  );
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(await metrics()).toMatch(
    new RegExp(`^tradeops_executor_lease_held 1$[\\s\\S]*^tradeops_executor_lease_fencing_token ${held}$`, "m"),
  );

  const newer = lease.transfer("r-green-2");
  expect(newer).toBeGreaterThan(held);
  const message = await until(
    "the lease-lost message",
    () => hooks.received.find((r) => r.body.includes("lease-lost")),
    () => output,
  );
  expect(message.path).toBe(`/hook/${HOOK_SECRET}`);
  const body = JSON.parse(message.body) as Record<string, unknown>;
  expect(body).toMatchObject({ event: "lease-lost", project: "argo", environment: "development" });
  expect(message.body).toContain("r-blue-1");
  expect(message.body).toMatch(/newer than ours/);
  expect(message.body).not.toContain(HOOK_SECRET);
  expect(output).toMatch(/order sending stopped/);
  expect(await metrics()).toMatch(/^tradeops_executor_lease_held 0$/m);
  expect(output).not.toContain(HOOK_SECRET);
  // one loss, one message
  await new Promise((r) => setTimeout(r, 500));
  expect(hooks.received.filter((r) => r.body.includes("lease-lost"))).toHaveLength(1);
});
