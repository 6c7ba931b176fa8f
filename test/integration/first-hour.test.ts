/**
 * A newcomer's first hour: a fresh copy of the example desk, an empty environment (no credentials, no AWS, no
 * detection variable), the commands the README shows — all in development, all exit 0, and the mistakes a
 * newcomer makes get a usage error that says what to do.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyWorkspace } from "../helpers/cli.js";
import { freePort } from "../supervisor/helpers.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");

/** Nothing but PATH and HOME: what a machine with no credentials looks like. */
const emptyEnv = (home: string) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home });

function tradeops(desk: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: desk,
    env: emptyEnv(desk),
    encoding: "utf8",
    timeout: 90_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const children: ChildProcess[] = [];
const desks: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const desk of desks.splice(0)) {
    tradeops(desk, "stop", "all");
    tradeops(desk, "supervisor", "stop");
  }
});

/** A fresh copy of the desk on free ports (other tests run services at the same time). */
async function freshDesk(): Promise<string> {
  const desk = copyWorkspace();
  desks.push(desk);
  const manifest = join(desk, "tradeops.yaml");
  let text = readFileSync(manifest, "utf8");
  for (const port of ["8000", "8001", "8100"])
    text = text.replace(`    port: ${port}\n`, `    port: ${await freePort()}\n`);
  writeFileSync(manifest, text);
  return desk;
}

// measured: 1.5–7 s each on a quiet 2-core machine; the budget allows a loaded one
describe("development without credentials", { timeout: 120_000 }, () => {
  it("secrets check --all and accounts check pass, and say what is not required and why", async () => {
    const desk = await freshDesk();
    const secrets = tradeops(desk, "secrets", "check", "--all", "--json");
    expect(secrets.code, secrets.stderr).toBe(0);
    const argo = JSON.parse(secrets.stdout).projects.find((p: { project: string }) => p.project === "argo");
    const key = argo.secrets.find((s: { name: string }) => s.name === "ALPACA_API_KEY");
    expect(key).toMatchObject({ resolved: false, required: false });
    expect(key.notRequired).toContain("simulated broker");
    const accounts = tradeops(desk, "accounts", "check");
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(accounts.stdout).toContain("broker       not asked: development replays sample:sp500");
  });

  it("run hands config to a Python process; without `--` it says to add it; an unknown project is named", async () => {
    const desk = await freshDesk();
    const ran = tradeops(desk, "run", "signal-lab", "--", "python3", "main.py", "--once");
    expect(ran.code, ran.stderr).toBe(0);
    const [start, recorded] = ran.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(start).toMatchObject({ event: "start", environment: "development", token_present: false });
    // its signals reach the development log through `tradeops signals append`
    expect(recorded).toMatchObject({ event: "signals", appended: 2 });
    const noDashes = tradeops(desk, "run", "signal-lab", "python3", "-c", "1");
    expect([noDashes.code, noDashes.stderr]).toEqual([64, expect.stringContaining("after `--`")]);
    const unknown = tradeops(desk, "run", "nosuch", "--", "true");
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("There is no project nosuch in tradeops.yaml.");
    expect(unknown.stderr).toContain("argo, signal-lab, alpine-backend, alpine-frontend, shared");
  });

  it("start argo runs it healthy under the supervisor", async () => {
    const desk = await freshDesk();
    const started = tradeops(desk, "start", "argo", "--wait-healthy", "60");
    expect(started.code, started.stderr).toBe(0);
    const status = JSON.parse(tradeops(desk, "status", "--json").stdout);
    expect(status.instances.find((i: { name: string }) => i.name === "argo")).toMatchObject({ state: "running" });
    const logs = JSON.parse(tradeops(desk, "logs", "argo", "--json").stdout);
    // the service logs to its standard error, kept apart from its standard output
    expect(
      logs.lines.some((l: { stream: string; line: string }) => l.stream === "err" && l.line.includes("starting argo")),
    ).toBe(true);
  });
});

describe("up", { timeout: 120_000 }, () => {
  async function up(desk: string, env: Record<string, string>, ...projects: string[]) {
    const child = spawn(process.execPath, [BIN, "up", ...projects], { cwd: desk, env: { ...emptyEnv(desk), ...env } });
    children.push(child);
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    const deadline = Date.now() + 60_000;
    while (!/services? up in development/.test(text) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const line = /\d+ services? up in development[^\n]*/.exec(text)?.[0];
    const exited = once(child, "exit");
    child.kill("SIGINT");
    const [code] = await exited;
    return { line, code, text };
  }

  it("counts the services that came up", async () => {
    const desk = await freshDesk();
    const r = await up(desk, {}, "alpine-backend", "argo");
    expect(r.line, r.text).toBe("2 services up in development; Ctrl-C stops them");
    expect(r.code).toBe(0);
  });

  it("counts only what came up and fails the run when a service did not start", async () => {
    const desk = await freshDesk();
    // an invalid config value: argo cannot start
    const r = await up(desk, { ARGO_RISK__MAX_TRADE_USD: "-5" }, "alpine-backend", "argo");
    expect(r.line, r.text).toBe("1 service up in development (1 did not start); Ctrl-C stops them");
    expect(r.code).not.toBe(0);
  });
});
