/**
 * The runtime's commands as people run them: `tradeops backtest` in-process (output, JSON, the report files,
 * bad input with one sentence and the right exit code), and `tradeops serve` / `halt` / `resume` as real
 * processes: health on the port while it trades, signals landing in the development signal store, the kill
 * switch through the control endpoint and through the file, a clean exit on SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runCli } from "../../src/cli/main.js";
import { type AlpacaServer, startAlpacaServer } from "../helpers/alpaca-server.js";
import { cli, copyWorkspace, snapshot } from "../helpers/cli.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");
const TOKEN = "runtime-cli-control-token-0001";
/** How long a real process may take to say something (a loaded 2-vCPU machine is slow to start node). */
const PROCESS_DEADLINE_MS = 45_000;

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli.js")))
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT });
});

describe("tradeops backtest", () => {
  let ws: string;
  beforeAll(() => {
    ws = copyWorkspace();
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it("runs the example desk on the real S&P 500 data and writes the report", async () => {
    const { code, stdout, stderr } = await cli(["--workspace", ws, "backtest", "argo"]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(
      /^argo backtest {2}development · S&P 500 index level \(daily\) as SPY · 2000-01-03 → 2020-04-17 · 5,105 bars · sample:sp500$/m,
    );
    expect(stdout).toMatch(/^ {2}open +SPY long [\d.]+ since 2009-03-26, marked at \$2,874\.56 /m);
    expect(stdout).toMatch(/^ {2}reconciled +realised \$[\d,.]+ \+ open \$[\d,.]+ − fees \$0\.00 = \$55,567\.03$/m);
    expect(stdout).toMatch(/903 fills made 8 closed trades and 1 open one; .*scales in and out/);
    for (const label of ["return", "CAGR", "max drawdown", "Sharpe", "trades", "fees", "final equity", "decisions"]) {
      expect(stdout).toMatch(new RegExp(`^  ${label} +\\S`, "m"));
    }
    expect(stderr).toBe("backtest: 5105/5105 bars (100%)\n"); // plain lines: not a terminal
    const id = /^run: (argo\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(?:-\d+)?) {2}\(config [0-9a-f]{12};/m.exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    expect(stdout).toContain(`.tradeops/backtests/${id}/report.html  (JSON: `);
    const html = readFileSync(join(ws, `.tradeops/backtests/${id}/report.html`), "utf8");
    expect(html).toContain('aria-label="equity curve"');
    const json = JSON.parse(readFileSync(join(ws, `.tradeops/backtests/${id}/report.json`), "utf8"));
    expect(json.summary.bars).toBe(5105);
    const kept = JSON.parse(readFileSync(join(ws, `.tradeops/backtests/${id}/run.json`), "utf8"));
    expect(kept).toMatchObject({
      id,
      project: "argo",
      from: "2000-01-03T00:00:00.000Z",
      to: "2020-04-17T00:00:00.000Z",
    });
    expect(kept.configHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps every run apart: list, show and compare read them back, naming the first decision that differs", async () => {
    const fresh = copyWorkspace();
    try {
      const a = JSON.parse(
        (await cli(["--workspace", fresh, "--json", "backtest", "argo", "--to", "2006-12-31"])).stdout,
      );
      const b = JSON.parse(
        (await cli(["--workspace", fresh, "--json", "backtest", "argo", "--from", "2003-01-01", "--to", "2006-12-31"]))
          .stdout,
      );
      expect(a.run).not.toBe(b.run);
      const list = JSON.parse((await cli(["--workspace", fresh, "--json", "backtest", "list"])).stdout);
      expect(list.runs.map((r: { id: string }) => r.id)).toEqual([a.run, b.run]);
      const text = await cli(["--workspace", fresh, "backtest", "list", "argo"]);
      expect(text.stdout.trim().split("\n")).toHaveLength(2);
      const show = await cli(["--workspace", fresh, "backtest", "show", "argo@latest"]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain(b.run);
      expect(show.stdout).toMatch(/^ {2}report +\S*\.tradeops\/backtests\/argo\/.+\/report\.html$/m);
      const same = JSON.parse(
        (await cli(["--workspace", fresh, "--json", "backtest", "compare", a.run, a.run])).stdout,
      );
      expect(same.decisions.map((d: { firstDivergence: unknown }) => d.firstDivergence)).toEqual([null, null]);
      const cmp = await cli(["--workspace", fresh, "backtest", "compare", a.run, b.run]);
      expect(cmp.code, cmp.stderr).toBe(0);
      expect(cmp.stdout).toMatch(/^ {2}range +2000-01-03 → 2006-12-29 +2003-01-02 → 2006-12-29$/m);
      expect(cmp.stdout).toMatch(/^ {2}signals +\d+ vs \d+, the first 0 the same; first difference at #1:$/m);
      const previous = JSON.parse(
        (await cli(["--workspace", fresh, "--json", "backtest", "compare", "argo@latest~1", "argo@latest"])).stdout,
      );
      expect(previous.decisions).toEqual(
        JSON.parse((await cli(["--workspace", fresh, "--json", "backtest", "compare", a.run, b.run])).stdout).decisions,
      );
      const tooFar = await cli(["--workspace", fresh, "backtest", "show", "argo@latest~2"]);
      expect(tooFar.code).toBe(64);
      const missing = await cli(["--workspace", fresh, "backtest", "show", "argo/1999"]);
      expect(missing.code).toBe(64);
      expect(missing.stderr).toContain('There is no backtest run "argo/1999" under .tradeops/backtests.');
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("--json prints the whole report; --from/--to and --report (a copy) choose range and file", async () => {
    const file = join(ws, "out/range.html");
    const { code, stdout, stderr } = await cli([
      "--workspace",
      ws,
      "--json",
      "backtest",
      "argo",
      "--from",
      "2008-01-01",
      "--to",
      "2009-12-31", // included: its bar is the last one
      "--report",
      file,
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe("");
    const report = JSON.parse(stdout);
    expect(report.from).toBe("2008-01-02T00:00:00.000Z");
    expect(report.to).toBe("2009-12-31T00:00:00.000Z");
    expect(report.summary).toMatchObject({ bars: 505, initialCash: 100_000 });
    expect(report.plan).toMatchObject({ mode: "backtest", venue: "simulated" });
    expect(report.files).toEqual({
      html: file,
      json: join(ws, "out/range.json"),
      run: join(ws, ".tradeops/backtests", report.run),
    });
    expect(existsSync(file)).toBe(true);
  });

  it("--close-at-end closes what is held at the last bar: no open trade, and it still reconciles", async () => {
    const { code, stdout, stderr } = await cli(["--workspace", ws, "--json", "backtest", "argo", "--close-at-end"]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.openTrades).toEqual([]);
    expect(report.trades.at(-1)).toMatchObject({ exit: "2020-04-17T00:00:00.000Z", exitReason: "end of data" });
    expect(report.reconciliation.open).toBe(0);
    expect(Math.abs(report.reconciliation.difference)).toBeLessThan(0.005);
    expect(report.summary.finalEquity).toBeCloseTo(155_567.03, 2); // no fees: closing at the last close changes nothing
  });

  it("--sweep runs the grid on worker threads, ranks it, and walk-forward shows the out-of-sample result", async () => {
    const args = ["--workspace", ws, "--json", "backtest", "argo", "--to", "2008-12-31"];
    const grid = [
      "--sweep",
      "strategy.fast_window=8..10",
      "--sweep",
      "strategy.slow_window=30,40",
      "--walk-forward",
      "0.7",
    ];
    const threads = await cli([...args, ...grid, "--workers", "2", "--rank-by", "calmar"]);
    expect(threads.code, threads.stderr).toBe(0);
    const a = JSON.parse(threads.stdout);
    expect(a.results.filter((r: { skipped?: string }) => r.skipped)).toEqual([]);
    expect(a).toMatchObject({ sets: 6, workers: 2, skipped: 0, rankBy: "calmar" });
    // each worker says what it ran and what it cost; together they ran every set once
    expect(a.workerLoads).toHaveLength(2);
    expect(a.workerLoads.reduce((n: number, w: { sets: number }) => n + w.sets, 0)).toBe(6);
    for (const w of a.workerLoads) expect(w).toMatchObject({ busyMs: expect.any(Number), startMs: expect.any(Number) });
    expect(a.cpuMs).toBeGreaterThan(0); // every thread of the process, the workers' included
    expect(a.outOfSample.from > a.inSample.to).toBe(true);
    const calmar = a.results.map((r: { metrics: { calmar: number } }) => r.metrics.calmar);
    expect(calmar).toEqual([...calmar].sort((x: number, y: number) => y - x));
    for (const r of a.results) expect(r.outOfSample.finalEquity).toBeGreaterThan(0);
    const inProcess = JSON.parse((await cli([...args, ...grid, "--workers", "0", "--rank-by", "calmar"])).stdout);
    expect(inProcess.results).toEqual(a.results); // the same numbers whichever thread ran them
    const text = await cli(["--workspace", ws, "backtest", "argo", "--to", "2008-12-31", ...grid, "--workers", "1"]);
    expect(text.stdout).toMatch(
      /^argo sweep {2}6 parameter sets on 1 worker thread in [\d.]+ s, ranked by sharpe; ranked in-sample/m,
    );
    expect(text.stdout).toMatch(/^ +fast_window +slow_window +return +Sharpe .* OOS return +OOS Sharpe$/m);
    expect(text.stderr).toContain("sweep: 6/6 parameter sets (100%)");
    const bad = await cli(["--workspace", ws, "backtest", "argo", "--sweep", "strategy.fast_windw=5..6"]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("--sweep strategy.fast_windw: the config has no such key.");
  }, 120_000); // two worker threads start and load the strategy: seconds each on a loaded machine

  it("draws a progress bar on a terminal", async () => {
    let stderr = "";
    const code = await runCli(["--workspace", ws, "backtest", "argo", "--to", "2001-01-01"], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t), isTTY: true },
      env: {},
      cwd: ws,
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^\r\[#{30}\] 100% (\d+)\/\1 bars\n$/);
  });

  it("the same backtest twice gives the same numbers", async () => {
    const a = JSON.parse((await cli(["--workspace", ws, "--json", "backtest", "argo", "--to", "2005-01-01"])).stdout);
    const b = JSON.parse((await cli(["--workspace", ws, "--json", "backtest", "argo", "--to", "2005-01-01"])).stdout);
    expect(b.summary).toEqual(a.summary);
    expect(b.trades).toEqual(a.trades);
  });

  it.each([
    [["backtest", "nope"], 64, "There is no project nope in tradeops.yaml."],
    [["backtest", "alpine-backend"], 64, "Project alpine-backend is a service, not a strategy."],
    [["backtest", "argo", "--from", "2021-13-45"], 64, "--from 2021-13-45 is not a date."],
    [
      ["backtest", "argo", "--from", "2010-01-01", "--to", "2009-01-01"],
      64,
      "--from 2010-01-01 is after --to 2009-01-01.",
    ],
    [
      ["backtest", "argo", "--from", "2030-01-01"],
      64,
      "--from/--to 2030-01-01 to the end is outside the data: sample:sp500 (S&P 500 index level, daily closes, 2000-01-03 to 2020-04-17) holds from 2000-01-03 to 2020-04-17.",
    ],
    [["backtest", "argo", "--data", "ftp:x"], 64, '--data: "ftp:x" is not a data source.'],
    [["backtest", "argo", "--data", "csv:missing.csv"], 69, "Cannot read bars from missing.csv"],
    [["backtest", "argo", "--data", "archive"], 69, "The bar archive .tradeops/bars.db holds no 1Day bars for SPY."],
  ])("%j exits %i naming the problem, and writes nothing", async (args, exit, text) => {
    const fresh = copyWorkspace();
    try {
      const before = snapshot(fresh);
      const { code, stdout, stderr } = await cli(["--workspace", fresh, ...args]);
      expect(code).toBe(exit);
      expect(stdout).toBe("");
      expect(stderr).toContain(text);
      expect(stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
      expect(snapshot(fresh).filter((f) => !f.startsWith(".tradeops/bars.db"))).toEqual(before);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("a config value of the wrong type stops it with exit 78 and the key", async () => {
    const { code, stderr } = await cli(["--workspace", ws, "backtest", "argo"], {
      env: { ARGO_RISK__MAX_TRADE_USD: "lots" },
    });
    expect(code).toBe(78);
    expect(stderr).toContain("risk.max_trade_usd");
  });
});

describe("tradeops serve refuses bad input before it starts anything", () => {
  it.each([
    [["serve", "argo", "--port", "abc"], 64, '--port must be a port number 0–65535, got "abc".'],
    [["serve", "argo", "--speed", "0"], 64, "--speed 0 is not a number above 0."],
    [["serve", "argo", "--mode", "fast"], 64, "fast"],
    [["serve", "argo", "--mode", "live"], 77, "Refused: live trading outside production (development)."],
    [["serve", "alpine-backend"], 64, "Project alpine-backend is a service, not a strategy."],
    [["halt", "nope"], 64, "There is no project nope in tradeops.yaml."],
  ])("%j exits %i", async (args, exit, text) => {
    const ws = copyWorkspace();
    try {
      const { code, stdout, stderr } = await cli(["--workspace", ws, ...args]);
      expect(code).toBe(exit);
      expect(stdout).toBe("");
      expect(stderr).toContain(text);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe("tradeops serve, halt and resume (real processes)", { timeout: 90_000 }, () => {
  const children: ChildProcess[] = [];
  const workspaces: string[] = [];
  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    for (const ws of workspaces.splice(0)) rmSync(ws, { recursive: true, force: true });
  });

  function serve(args: string[], env: Record<string, string> = {}) {
    const ws = copyWorkspace();
    workspaces.push(ws);
    const child = spawn(process.execPath, [BIN, "--workspace", ws, "serve", "argo", "--port", "0", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TRADEOPS_CONTROL_TOKEN: TOKEN, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let log = "";
    child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const line = (pattern: RegExp, ms = PROCESS_DEADLINE_MS) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no log line ${pattern} within ${ms} ms:\n${log}`)), ms);
        const look = () => {
          const m = log.match(pattern);
          if (m) {
            clearTimeout(deadline);
            child.stderr!.off("data", look);
            resolve(m);
          }
        };
        child.stderr!.on("data", look);
        look();
      });
    return { ws, child, exited, line, log: () => log };
  }

  async function records(
    ws: string,
  ): Promise<{ kind: string; payload: Record<string, unknown>; [k: string]: unknown }[]> {
    const { stdout, code } = await cli(["--workspace", ws, "signals", "tail", "argo", "-n", "1000", "--json"]);
    // before the first record the store does not exist yet: an error document
    return code === 0 ? JSON.parse(stdout).records : [];
  }

  async function eventually<T>(probe: () => Promise<T | undefined>, ms = PROCESS_DEADLINE_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("development: paper on an accelerated replay, health on its port, signals in the dev store, halt and resume", async () => {
    const s = serve([]);
    const start = await s.line(/"msg":"starting argo in development: paper mode"/);
    expect(start.input).toMatch(
      /"account":"simulated broker \(binding not used: alpaca paper account \\"Dev Trading Account\\"\)"/,
    );
    expect(s.log()).toMatch(/"data":"sample:sp500 \(S&P 500 index/);
    const port = Number((await s.line(/health on http:\/\/127\.0\.0\.1:(\d+)\/health/))[1]);

    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health).toMatchObject({ status: "healthy", service: "argo", execution_mode: "paper" });
    const kinds = await eventually(async () => {
      const list = (await records(s.ws)).map((r) => r.kind);
      return list.includes("order_decision") && list.includes("signal") ? list : undefined;
    });
    expect(kinds).toContain("signal");

    const halted = await cli(
      ["--workspace", s.ws, "--json", "halt", "argo", "--port", String(port), "--reason", "test halt"],
      {
        env: { TRADEOPS_CONTROL_TOKEN: TOKEN },
      },
    );
    expect(halted.code, halted.stderr).toBe(0);
    expect(JSON.parse(halted.stdout)).toMatchObject({ state: "halted", service: { reached: true, state: "halted" } });
    expect(halted.stdout + halted.stderr).not.toContain(TOKEN);
    const detailed = (await (await fetch(`http://127.0.0.1:${port}/health/detailed`)).json()) as {
      components: Record<string, unknown>;
    };
    expect(detailed.components.risk).toMatchObject({ status: "degraded", readiness_checks: { trading_open: false } });
    await eventually(async () => ((await records(s.ws)).some((r) => r.kind === "halt") ? true : undefined));

    const resumed = await cli(["--workspace", s.ws, "resume", "argo", "--port", String(port)], {
      env: { TRADEOPS_CONTROL_TOKEN: TOKEN },
    });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("the service on port");
    await eventually(async () => ((await records(s.ws)).some((r) => r.kind === "resume") ? true : undefined));

    process.kill(s.child.pid!, "SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.log()).toMatch(/"msg":"stopped trading"/);
    expect(s.log()).not.toContain(TOKEN);
  });

  it("the kill-switch file halts a running strategy without the network, and a restart starts halted", async () => {
    const s = serve([], { TRADEOPS_CONTROL_TOKEN: "" });
    await s.line(/health on http:\/\/127\.0\.0\.1:(\d+)\/health/);
    const halted = await cli(["--workspace", s.ws, "halt", "argo", "--port", "1"], { env: {} });
    expect(halted.code).toBe(0);
    expect(halted.stdout).toContain("argo halted: kill switch written to");
    await s.line(/"msg":"kill switch: trading halted"/);
    process.kill(s.child.pid!, "SIGTERM");
    expect(await s.exited).toBe(0);
  });

  it("--mode backtest always forces a backtest: it plays the archive at full speed and exits by itself", async () => {
    const s = serve(["--mode", "backtest", "--data", "sample:sp500"], {
      ARGO_ENVIRONMENT: "production",
      DATABASE_URL: "postgres://unused",
    });
    await s.line(/"msg":"starting argo in production: backtest mode"/);
    expect(s.log()).toMatch(/"modeFrom":"--mode backtest"/);
    expect(await s.exited).toBe(0);
    expect(s.log()).toMatch(/"bars":5105,.*"msg":"stopped trading"/);
  });
});

describe("tradeops serve against a broker paper account (a local Alpaca API)", { timeout: 90_000 }, () => {
  const KEY = { keyId: "PKSERVETEST000000001", secretKey: "serve-secret-value-0000001" };
  let server: AlpacaServer;
  const children: ChildProcess[] = [];
  const workspaces: string[] = [];
  beforeAll(async () => {
    server = await startAlpacaServer({ kind: "paper", keys: [KEY], cash: 100_000 });
    // a steady rise of one-minute bars up to now: the consensus says buy once its windows are full
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const bars = Array.from({ length: 120 }, (_, i) => {
      const c = 400 + i * 2;
      return { t: new Date(now - (120 - i) * 60_000).toISOString(), o: c - 0.25, h: c + 0.1, l: c - 0.3, c, v: 1000 };
    });
    server.setBars("SPY", bars);
    server.setPrice("SPY", 460);
  });
  afterAll(() => server.close());
  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    for (const ws of workspaces.splice(0)) rmSync(ws, { recursive: true, force: true });
  });

  async function run(idleProcesses: string[]) {
    const ws = copyWorkspace();
    workspaces.push(ws);
    const manifest = parse(readFileSync(join(ws, "tradeops.yaml"), "utf8"));
    manifest.projects.argo.accounts.development.baseUrl = server.url;
    manifest.environments.development.idle = { processes: idleProcesses };
    writeFileSync(join(ws, "tradeops.yaml"), stringify(manifest));
    const child = spawn(process.execPath, [BIN, "--workspace", ws, "serve", "argo", "--port", "0"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        AWS_EC2_METADATA_DISABLED: "true",
        ALPACA_API_KEY: KEY.keyId,
        ALPACA_SECRET_KEY: KEY.secretKey,
        TRADEOPS_ALPACA_DATA_URL: server.url,
        ARGO_DATA__SOURCE: "alpaca",
        ARGO_DATA__TIMEFRAME: "1Min",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let log = "";
    child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { ws, child, exited, log: () => log };
  }

  async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = PROCESS_DEADLINE_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const rejections = async (ws: string) => {
    const { stdout, code } = await cli(["--workspace", ws, "signals", "tail", "argo", "-n", "500", "--json"]);
    const records: { kind: string; payload: unknown }[] = code === 0 ? JSON.parse(stdout).records : [];
    return records.filter((r) => r.kind === "risk_rejection");
  };

  it("in development with nobody at the machine, the idle pause holds every order: none reaches the broker", async () => {
    server.calls.length = 0;
    const s = await run(["cursor", "code"]);
    const refused = await until(async () => {
      const list = await rejections(s.ws);
      return list.length ? list : undefined;
    });
    expect(refused[0]!.payload).toMatchObject({
      rule: "paused",
      reason: "auto-execution paused: none of cursor, code is running",
    });
    expect(s.log()).toMatch(/"msg":"auto-execution paused \(development idle\)"/);
    expect(s.log()).toMatch(/"account":"alpaca paper account \\"Dev Trading Account\\""/);
    expect(server.calls.map((c) => c.path)).toContain("/v2/account");
    expect(server.orderCalls()).toEqual([]);
    process.kill(s.child.pid!, "SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.log()).not.toContain(KEY.secretKey);
  });

  it("when the named process runs, orders go to the paper account with the kernel's ids, fenced by the lease", async () => {
    server.calls.length = 0;
    const s = await run(["node"]);
    // outside a deploy the node takes the workspace's file lease: token 1, carried as the client order id's prefix
    const order = await until(() => server.orders.find((o) => /^t1-argo-/.test(o.client_order_id)));
    expect(
      readFileSync(join(s.ws, ".tradeops/development/lease/argo.alpaca_paper_Dev_Trading_Account.lease.json"), "utf8"),
    ).toContain('"token":1');
    expect(order).toMatchObject({ symbol: "SPY", side: "buy", type: "market", status: "filled" });
    expect(server.orderCalls()[0]).toMatchObject({ method: "POST", path: "/v2/orders", keyId: KEY.keyId, status: 200 });
    process.kill(s.child.pid!, "SIGTERM");
    expect(await s.exited).toBe(0);
  });
});
