/** `tradeops run` with a real Python child: config and secrets arrive as variables, exit codes and signals pass through. */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, expect, it } from "vitest";
import { copyWorkspace } from "../helpers/cli.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");
const TOKEN = "market-data-token-planted-0001";
const baseEnv = () => ({ PATH: process.env.PATH ?? "", HOME: "/nonexistent", MARKET_DATA_TOKEN: TOKEN });

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli.js")))
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT });
});

it("passes config and secrets to a Python child as environment variables", () => {
  const dir = copyWorkspace();
  const probe =
    "import json, os; print(json.dumps({k: os.environ.get(k) for k in ['SIGLAB_FEED__SYMBOLS', 'SIGLAB_SIGNALS__LOOKBACK', 'SIGLAB_FEED__USE_ARCHIVED_DATA', 'TRADEOPS_ENVIRONMENT', 'ARGO_ENVIRONMENT', 'TRADEOPS_PROJECT']} | {'token_ok': os.environ.get('MARKET_DATA_TOKEN') == '" +
    TOKEN +
    "', 'cwd': os.getcwd()}))";
  const result = spawnSync(
    process.execPath,
    [BIN, "--workspace", dir, "run", "signal-lab", "--", "python3", "-c", probe],
    {
      encoding: "utf8",
      env: { ...baseEnv(), SIGLAB_SIGNALS__LOOKBACK: "50" },
    },
  );
  expect(result.status, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({
    SIGLAB_FEED__SYMBOLS: '["SPY","QQQ"]',
    SIGLAB_SIGNALS__LOOKBACK: "50",
    SIGLAB_FEED__USE_ARCHIVED_DATA: "true",
    TRADEOPS_ENVIRONMENT: "development",
    ARGO_ENVIRONMENT: "development",
    TRADEOPS_PROJECT: "signal-lab",
    token_ok: true,
    cwd: join(dir, "signal-lab"),
  });
});

it("runs the example's Python service, which reads its config through tradeops", () => {
  const result = spawnSync(
    process.execPath,
    [
      BIN,
      "--workspace",
      copyWorkspace(),
      "--env",
      "staging",
      "run",
      "signal-lab",
      "--",
      "python3",
      "main.py",
      "--once",
    ],
    {
      encoding: "utf8",
      env: { ...baseEnv(), AWS_EC2_METADATA_DISABLED: "true", MARKET_DATA_TOKEN: "" },
    },
  );
  // staging reads the token from SSM only; with no AWS it cannot resolve, and nothing is started
  expect(result.status).toBe(78);
  expect(result.stderr).toContain(
    "secret MARKET_DATA_TOKEN: no value from aws-ssm:/desk/staging/signal-lab/MARKET_DATA_TOKEN",
  );
  expect(result.stdout).toBe("");
  const dev = spawnSync(
    process.execPath,
    [BIN, "--workspace", copyWorkspace(), "run", "signal-lab", "--", "python3", "main.py", "--once"],
    {
      encoding: "utf8",
      env: baseEnv(),
    },
  );
  expect(dev.status, dev.stderr).toBe(0);
  expect(JSON.parse(dev.stdout.split("\n")[0]!)).toEqual({
    event: "start",
    environment: "development",
    symbols: ["SPY", "QQQ"],
    token_present: true,
  });
  // without a supervisor, its signals reach the log through `tradeops signals append` (found on its PATH)
  expect(JSON.parse(dev.stdout.split("\n")[1]!)).toEqual({ event: "signals", appended: 2, lastSeq: 2 });
});

it("returns the child's exit code", () => {
  for (const code of [0, 3, 42]) {
    const result = spawnSync(
      process.execPath,
      [
        BIN,
        "--workspace",
        copyWorkspace(),
        "run",
        "signal-lab",
        "--",
        "python3",
        "-c",
        `import sys; sys.exit(${code})`,
      ],
      {
        env: baseEnv(),
      },
    );
    expect(result.status).toBe(code);
  }
});

it("forwards SIGTERM to the child and exits when it does", async () => {
  const child = spawn(
    process.execPath,
    [BIN, "--workspace", copyWorkspace(), "run", "signal-lab", "--", "python3", "main.py"],
    {
      env: baseEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  // listened for from the start: the child may exit between two looks at its output
  const exited = once(child, "exit");
  try {
    const seen: { event: string; signal?: number }[] = [];
    createInterface({ input: child.stdout! }).on("line", (l) => seen.push(JSON.parse(l)));
    const deadline = { signal: AbortSignal.timeout(15_000) };
    const until = async (event: string) => {
      while (!seen.some((e) => e.event === event)) {
        if (deadline.signal.aborted) throw new Error(`no ${event} line: ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until("start");
    expect(seen[0]!.event).toBe("start");
    child.kill("SIGTERM");
    // a signals line may come before it: the service records signals as it starts
    await until("stop");
    expect(seen.find((e) => e.event === "stop")).toEqual({ event: "stop", signal: 15 });
    const [code] = await Promise.race([
      exited,
      once(deadline.signal, "abort").then(() => {
        throw new Error("tradeops run did not exit within 15 s of its child's stop");
      }),
    ]);
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

it("never shows a secret in --verbose", () => {
  const verbose = spawnSync(
    process.execPath,
    [BIN, "--verbose", "--workspace", copyWorkspace(), "run", "signal-lab", "--", "python3", "-c", "pass"],
    {
      encoding: "utf8",
      env: baseEnv(),
    },
  );
  expect(verbose.status).toBe(0);
  expect(verbose.stderr).toContain("MARKET_DATA_TOKEN=[redacted: MARKET_DATA_TOKEN from env:MARKET_DATA_TOKEN]");
  expect(verbose.stderr + verbose.stdout).not.toContain(TOKEN);
});

it("puts tradeops on the child's PATH, so manifest commands can call it", () => {
  const result = spawnSync(
    process.execPath,
    [BIN, "--workspace", copyWorkspace(), "run", "signal-lab", "--", "sh", "-c", "tradeops --version"],
    {
      encoding: "utf8",
      env: { ...baseEnv(), PATH: "/usr/bin:/bin" },
    },
  );
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});
