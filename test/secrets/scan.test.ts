import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { scanForSecrets } from "../../src/secrets/scan.js";
import { cli, copyWorkspace, DESK } from "../helpers/cli.js";

const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const TOKEN = "q8Zr2Lk9Xw4Vb7Nc1Mt6Hy3Pd5Gf0Js";

function planted(): string {
  const dir = copyWorkspace();
  writeFileSync(join(dir, "signal-lab/.env"), `MARKET_DATA_TOKEN=${TOKEN}\nLOG_LEVEL=debug\n`);
  writeFileSync(
    join(dir, "alpine-backend/config/staging.yaml"),
    `http:\n  cors_origins: []\nanalytics:\n  api_key: FROM_SECRETS\nbackup:\n  aws_key: ${AWS_KEY}\n`,
  );
  mkdirSync(join(dir, "node_modules/x"), { recursive: true });
  writeFileSync(join(dir, "node_modules/x/config.json"), `{"api_key": "${TOKEN}"}`);
  return dir;
}

it("finds known key shapes and high-entropy values under secret-looking keys, never printing them", async () => {
  const dir = planted();
  const findings = scanForSecrets(dir);
  expect(findings.map((f) => `${f.file}:${f.line} ${f.key ?? ""} ${f.kind}`).sort()).toEqual([
    "alpine-backend/config/staging.yaml:6  AWS access key id",
    "signal-lab/.env:1 MARKET_DATA_TOKEN high-entropy value under a secret-looking key",
  ]);
  const { code, stdout, stderr } = await cli(["--workspace", dir, "secrets", "scan"]);
  expect(code).toBe(1);
  expect(stdout).toContain(
    "signal-lab/.env:1 MARKET_DATA_TOKEN: high-entropy value under a secret-looking key (q8… (31 characters))",
  );
  expect(stdout + stderr).not.toContain(TOKEN);
  expect(stdout + stderr).not.toContain(AWS_KEY);
});

it("a variable named as a secret (*_KEY, *_PASS, *_DSN …) is looked at as init proposes it; public names are not", () => {
  const dir = copyWorkspace();
  const VENDOR = "qv_live_8f3KzP1mQ7xR2wT9";
  writeFileSync(
    join(dir, "alpine-backend/.env"),
    `QUOTE_VENDOR_KEY=${VENDOR}\nDB_PASS=${TOKEN}\nSTRIPE_PUBLISHABLE_KEY=${TOKEN}\nSORT_KEY=${TOKEN}\nCERT_KEY_FILE=${TOKEN}\n`,
  );
  const findings = scanForSecrets(dir).filter((f) => f.file === "alpine-backend/.env");
  expect(findings.map((f) => `${f.line} ${f.key}`)).toEqual(["1 QUOTE_VENDOR_KEY", "2 DB_PASS"]);
  expect(JSON.stringify(findings)).not.toContain(VENDOR);
});

it("in a git repository, scans only what is committed", () => {
  const dir = planted();
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", "alpine-backend");
  git("commit", "-qm", "x");
  expect(scanForSecrets(dir).map((f) => f.file)).toEqual(["alpine-backend/config/staging.yaml"]);
});

it("passes on the example desk, whose files hold placeholders only", async () => {
  const { code, stdout } = await cli(["--workspace", DESK, "secrets", "scan", "--json"]);
  expect(code).toBe(0);
  expect(JSON.parse(stdout).findings).toEqual([]);
});
