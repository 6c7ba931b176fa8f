/**
 * Signals from any language: NDJSON on `tradeops signals append` (all or nothing, line named on bad input) and
 * the supervisor's loopback endpoint, through which the example's Python signal-lab records signals that verify.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { signalsTokenFor } from "../../src/signals/append-endpoint.js";
import { Supervisor } from "../../src/supervisor/supervisor.js";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { freePort, Pids, waitFor } from "../supervisor/helpers.js";

async function append(dir: string, project: string, input: string, extra: string[] = []) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["signals", "append", project, ...extra], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([input]),
    env: {},
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const line = (o: object) => `${JSON.stringify(o)}\n`;

describe("tradeops signals append", () => {
  it("appends NDJSON records to one chain, which verifies", async () => {
    const dir = copyWorkspace();
    const input =
      line({ kind: "signal", strategy: "zscore", payload: { symbol: "SPY", side: "buy" } }) +
      "\n" +
      line({ kind: "order_decision", payload: { symbol: "SPY", approved: true }, time: "2026-12-01T14:30:00Z" });
    const first = await append(dir, "signal-lab", input);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^appended 2 records to development\/signal-lab \(seq 1–2, head [0-9a-f]{12}\)$/m);
    const second = await append(dir, "signal-lab", line({ kind: "signal", payload: { n: 3 } }), ["--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, appended: 1, firstSeq: 3, lastSeq: 3 });
    const verify = await cli(["signals", "verify", "signal-lab"], { cwd: dir });
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain("development/signal-lab  3 records (1–3)");
  });

  it("refuses a bad line with its number and stores nothing of the batch (64)", async () => {
    const dir = copyWorkspace();
    const cases: [string, string][] = [
      [line({ kind: "signal", payload: {} }) + "{not json\n", "Signal line 2: not JSON"],
      [
        line({ kind: "signal", payload: {} }) + line({ kind: "rumour", payload: {} }),
        "Signal line 2: kind must be one of",
      ],
      [
        line({ project: "argo", kind: "signal", payload: {} }),
        'Signal line 1: project is "argo", but these records belong to signal-lab',
      ],
      [line({ kind: "signal", payload: {}, colour: "red" }), "Signal line 1: unknown field `colour`"],
    ];
    for (const [input, message] of cases) {
      const result = await append(dir, "signal-lab", input);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain(message);
    }
    const unknown = await append(dir, "signal-labs", line({ kind: "signal", payload: {} }));
    expect(unknown.code).toBe(64);
    const verify = await cli(["signals", "verify", "signal-lab", "--json"], { cwd: dir });
    expect(JSON.parse(verify.stdout).chains).toMatchObject([{ project: "signal-lab", records: 0 }]);
  });
});

function post(url: string, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the supervisor's local signal endpoint", () => {
  const pids = new Pids();
  const open: Supervisor[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close({ stopServices: true });
    pids.killAll();
  });

  it("the Python signal-lab records its signals through it; they verify; a wrong token is refused (401)", async () => {
    const dir = copyWorkspace();
    const base = { PATH: process.env.PATH, HOME: "/nonexistent", MARKET_DATA_TOKEN: "market-token-for-test-0001" };
    const supervisor = new Supervisor({
      workspaceRoot: dir,
      environment: "development",
      stateDir: join(dir, ".tradeops/development/supervisor"),
      env: base,
      onChange: (_name, change) => pids.add(change.pid),
    });
    open.push(supervisor);
    await supervisor.open();
    const port = await freePort();
    await supervisor.start({ project: "signal-lab", port, orders: true }, base);
    await supervisor.waitRunning("signal-lab", 20_000);
    const status = supervisor.status().instances[0]!;
    const log = () => readFileSync(status.logFile, "utf8");
    const recorded = await waitFor(
      "signal-lab's first signals",
      () => /"event": "signals", "appended": 2/.test(log()),
      20_000,
    );
    expect(recorded).toBe(true);
    expect(log()).not.toContain("signals-not-recorded");
    const verify = await cli(["signals", "verify", "signal-lab", "--json"], { cwd: dir });
    expect(verify.code, verify.stdout).toBe(0);
    const chain = JSON.parse(verify.stdout).chains[0];
    expect(chain).toMatchObject({ project: "signal-lab", ok: true });
    expect(chain.records).toBeGreaterThanOrEqual(2);
    // the endpoint: another project's token, or none, cannot write this chain
    const endpoint = readFileSync(join(dir, ".tradeops/development/supervisor/signals-endpoint.json"), "utf8");
    const { port: endpointPort, key } = JSON.parse(endpoint) as { port: number; key: string };
    const url = `http://127.0.0.1:${endpointPort}/signals/signal-lab`;
    expect((await post(url, "nope", line({ kind: "signal", payload: {} }))).status).toBe(401);
    expect((await post(url, signalsTokenFor(key, "argo"), line({ kind: "signal", payload: {} }))).status).toBe(401);
    const bad = await post(url, signalsTokenFor(key, "signal-lab"), "{oops\n");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toContain("Signal line 1: not JSON");
  });
});
