// The main job (`npm start`) on embedded defaults: the example desk in development — no credentials, no
// network, SQLite for the signal log, the simulated broker. It backtests the argo strategy on the real S&P 500
// daily bars that ship with vega-datasets and writes the HTML report, then runs the same strategy for a few
// seconds as a service in paper mode (an accelerated replay), so that its signals and simulated orders land
// in the development signal store, and verifies that store's hash chain.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../bin/tradeops.js", import.meta.url));
const workspace = fileURLToPath(new URL("../examples/desk", import.meta.url));
/** How long the paper session runs at most, and how many records it waits for. */
const PAPER_SECONDS = 15;
const PAPER_RECORDS = 40;

if (!existsSync(`${root}/dist/cli.js`)) run(["scripts/build.mjs"], "building tradeops", process.execPath);

const env = process.env;
/** Embedded defaults: the development environment, whatever this machine's detection rules say. */
const ENV = ["--env", "development"];
step(["env"]);
step(["backtest", "argo"]);
step(["backtest", "list", "argo"]);
await paperSession();
step(["signals", "tail", "argo", "-n", "5"]);
step(["signals", "verify", "argo"]);
console.log(
  `\nReport: ${latestReport() ?? "see the backtest step above"} (open it in a browser; every run is kept under ${workspace}/.tradeops/backtests/argo/).\n` +
    "`tradeops serve argo` runs the paper session until stopped; `tradeops halt argo` is its kill switch.",
);

/** The newest kept argo run's HTML report, as `backtest list --json` names it. */
function latestReport() {
  const result = spawnSync(
    process.execPath,
    [bin, "--workspace", workspace, ...ENV, "--json", "backtest", "list", "argo"],
    {
      encoding: "utf8",
      env,
    },
  );
  if (result.status !== 0) return undefined;
  const runs = JSON.parse(result.stdout).runs;
  return runs.length ? `${runs[runs.length - 1].dir}/report.html` : undefined;
}

function step(args) {
  process.stdout.write(`\n$ tradeops ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [bin, "--workspace", workspace, ...ENV, ...args], {
    stdio: "inherit",
    env,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** `tradeops serve argo` until it has recorded some new decisions (or for PAPER_SECONDS), then SIGTERM. */
async function paperSession() {
  process.stdout.write(`\n$ tradeops serve argo --port 0   # paper mode, replayed bars, stopped after a few seconds\n`);
  const before = headSeq();
  const child = spawn(process.execPath, [bin, "--workspace", workspace, ...ENV, "serve", "argo", "--port", "0"], {
    env,
    stdio: ["ignore", "inherit", "pipe"],
  });
  let serving = false;
  let lines = 0;
  let other = "";
  const done = new Promise((resolve) => child.on("exit", resolve));
  // SIGTERM only once the service is up: before that, it would not yet stop gracefully
  const stop = () => serving && child.exitCode === null && child.kill("SIGTERM");
  const timer = setTimeout(function later() {
    if (serving) stop();
    else timerAgain = setTimeout(later, 500);
  }, PAPER_SECONDS * 1000);
  let timerAgain;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text) => {
    for (const line of text.split("\n").filter(Boolean)) {
      const entry = safeJson(line);
      if (!entry) {
        other += `${line}\n`;
        continue;
      }
      if (/^health on /.test(entry.msg)) serving = true;
      if (lines++ < 8 || /stopped|shutting|halt/.test(entry.msg)) process.stdout.write(`  ${summarize(entry)}\n`);
    }
  });
  const poll = setInterval(() => {
    if (serving && headSeq() >= before + PAPER_RECORDS) stop();
  }, 1000);
  const code = await done;
  clearTimeout(timer);
  clearTimeout(timerAgain);
  clearInterval(poll);
  if (code !== 0) {
    process.stderr.write(other);
    process.exit(code ?? 1);
  }
  process.stdout.write(`  recorded ${headSeq() - before} new records in the development signal store\n`);
}

/** The newest record's sequence number in argo's development signal log (0 when there is none). */
function headSeq() {
  const tail = spawnSync(
    process.execPath,
    [bin, "--workspace", workspace, ...ENV, "--json", "signals", "tail", "argo", "-n", "1"],
    {
      env,
      encoding: "utf8",
    },
  );
  // one JSON document: { ok, records: [...] } (an error document before the store exists)
  const records = safeJson(tail.stdout ?? "")?.records ?? [];
  return records.at(-1)?.seq ?? 0;
}

function summarize(entry) {
  const { level, time, msg, service, ...rest } = entry;
  const fields = Object.entries(rest)
    .filter(([k]) => ["environment", "mode", "account", "data", "url", "bars", "fills", "equity", "state"].includes(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${msg}${fields ? `  (${fields})` : ""}`;
}

function safeJson(line) {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function run(args, what, exe) {
  process.stdout.write(`${what}…\n`);
  const result = spawnSync(exe, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
